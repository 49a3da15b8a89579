package jbox.ociruntime;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Cgroups;
import jbox.runtime.ExecStart;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * runc exec: one more process in a running container, through the same ExecStart as `jbox exec`,
 * with the OCI process's capabilities, no_new_privs and user, and the container's seccomp filter.
 */
final class OciExec {
    private final OciRuntime rt;

    OciExec(OciRuntime rt) { this.rt = rt; }

    int exec(String id, JsonNode processJson, List<String> command, List<String> extraEnv, String cwd, String user, boolean tty,
             String consoleSocket, boolean detach, String pidFile) throws IOException {
        OciRuntime.Record r = rt.load(id);
        jbox.runtime.Status status = rt.status(r);
        if (!status.canExec()) throw new OciException("cannot exec in a " + status.oci() + " container");
        OciConfig c = OciConfig.read(Path.of(r.bundle()));
        OciConfig.Process p;
        if (processJson != null) {
            p = OciConfig.processFrom(processJson, rt.log()::configWarning);
        } else {
            if (command.isEmpty()) throw new OciException("exec needs a command (or --process FILE)");
            OciConfig.Process base = c.process();
            List<String> env = new ArrayList<>(base.env());
            env.addAll(extraEnv);
            int uid = base.uid(), gid = base.gid();
            if (user != null) {
                String[] ug = user.split(":");
                uid = Integer.parseInt(ug[0]);
                gid = ug.length > 1 ? Integer.parseInt(ug[1]) : uid == base.uid() ? base.gid() : 0;
            }
            p = new OciConfig.Process(tty, null, uid, gid, base.additionalGids(), base.umask(), command, env, cwd != null ? cwd : base.cwd(),
                    base.bounding(), base.effective(), base.permitted(), base.inheritable(), base.ambient(), List.of(), base.noNewPrivileges(), null);
        }
        boolean terminal = p.terminal() || tty;
        if (terminal && consoleSocket == null) throw new OciException("cannot allocate tty if jbox-runc will detach without setting console socket");
        List<OciConfig.Rlimit> rlimits = p.rlimits();
        ExecStart.Started started = ExecStart.start(new ExecStart.Spec(id, r.pid(), p.args(), p.env(), p.cwd(), p.uid() + ":" + p.gid(), terminal,
                new LaunchSpec.Stdio(0, 1, 2), Cgroups.detect().existingAtPath(r.cgroupsPath()), OciBundle.credentials(p, OciBundle.compileSeccomp(c)),
                p.additionalGids(), rt.dir(id), rlimits.isEmpty() ? null
                : pid -> { for (OciConfig.Rlimit l : rlimits) jbox.linux.ProcessLimits.rlimit(pid, l.resource(), l.soft(), l.hard(), l.name()); }));
        if (terminal) {
            ConsoleSocket.send(consoleSocket, started.ptyMaster());
            Sys.close(started.ptyMaster());
        }
        if (pidFile != null) OciRuntime.writePidFile(Path.of(pidFile), started.pid());
        if (detach) return 0;
        return Linux.exitCode(Sys.waitpid(started.pid()));
    }
}
