package jbox.runtime;

import jbox.linux.NotRunnableException;

import jbox.linux.User;

import jbox.linux.Executable;

import jbox.linux.Credentials;

import jbox.linux.Pty;
import jbox.linux.ThrowawayThread;

import jbox.linux.Hardening;

import jbox.cgroup.Cgroup;
import jbox.sys.Errnos;
import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static jbox.sys.Linux.*;

/**
 * docker exec: one more process inside a running container. A fresh thread joins the namespaces
 * of the container's first process one by one (setns; mnt after unshare(CLONE_FS), as the facts
 * note measured), takes its root, drops to the container's capabilities and user, and spawns.
 * The new process is a child of this JVM, so the caller waits for it.
 *
 * <p>Namespaces are joined as a container start joins shared ones ({@link Namespaces#enter}).
 */
public final class ExecStart {
    private ExecStart() {}

    /**
     * What to run and where.
     *
     * @param containerPid the container's first process, whose namespaces and root are joined
     * @param stdio        used when tty is false
     * @param credentials  the container's: an exec runs with its capabilities and seccomp filter, as in Docker
     * @param groups       the supplementary groups as given (an OCI process's additionalGids), or null for the image's
     */
    public record Spec(String id, int containerPid, List<String> args, List<String> env, String workingDir, String user,
                       boolean tty, LaunchSpec.Stdio stdio, Cgroup cgroup, Credentials credentials, int[] groups) {}

    /** A started exec process; ptyMaster is -1 without a tty. */
    public record Started(int pid, int ptyMaster) {}

    public static Started start(Spec spec) {
        Sys.init();
        Path root = Path.of("/proc/" + spec.containerPid() + "/root");
        List<String> env = new ArrayList<>(spec.env());
        String program;
        User user;
        try {
            program = Executable.find(root, spec.args().get(0), Executable.pathOf(env));
            User found = User.resolve(root, spec.user());
            user = spec.groups() == null ? found : new User(found.uid(), found.gid(), spec.groups(), found.home());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the container's files through " + root + ": " + e.getMessage(), e);
        }
        if (env.stream().noneMatch(e -> e.startsWith("HOME="))) env.add("HOME=" + user.home());
        Pty pty = spec.tty() ? Pty.open(root.resolve("dev/pts")) : null;
        Map<Kind, String> all = new EnumMap<>(Kind.class);
        for (Kind k : Namespaces.JOIN_ORDER) all.put(k, "/proc/" + spec.containerPid() + "/ns/" + k.link);
        Namespaces.Plan namespaces = Namespaces.Plan.of(all);
        boolean[] joined = new boolean[1];
        int pid;
        try {
            pid = ThrowawayThread.call("jbox-exec-" + spec.id().substring(0, Math.min(12, spec.id().length())), () -> {
                int rootFd = -1;
                try (Spawn spawn = new Spawn(program, spec.args(), env).setsid()) {
                    rootFd = Sys.open(root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                    if (pty != null) {
                        spawn.open(0, pty.slaveInContainer(), O_RDWR, 0).dup2(0, 1).dup2(0, 2);
                    } else {
                        spawn.dup2(spec.stdio().in(), 0).dup2(spec.stdio().out(), 1).dup2(spec.stdio().err(), 2);
                    }
                    spawn.chdir(spec.workingDir().isEmpty() ? "/" : spec.workingDir()).closeFrom(3);
                    int lastCap = Hardening.lastCap();
                    joined[0] = spec.cgroup() != null && spec.cgroup().joinThread(Sys.gettid());
                    Sys.unshare(CLONE_FS);
                    Namespaces.enterPid(namespaces, Namespaces.enter(namespaces));
                    Sys.fchdir(rootFd);
                    Sys.chroot(".");
                    spec.credentials().apply(user, lastCap);
                    return spawn.spawn();
                } finally {
                    if (rootFd >= 0) Sys.close(rootFd);
                }
            });
        } catch (RuntimeException e) {
            if (pty != null) Sys.close(pty.master());
            if (e instanceof SyscallException se && se.call().equals("posix_spawn")) {
                int errno = se.errno();
                throw new NotRunnableException(errno == Errnos.ENOENT ? 127 : 126, "exec " + spec.args().get(0) + " failed: "
                        + SyscallException.errnoName(errno) + " (" + SyscallException.errnoText(errno) + ")");
            }
            throw e;
        }
        // v2 cannot move one thread; the new process is moved right after it starts.
        if (!joined[0] && spec.cgroup() != null) spec.cgroup().addProcess(pid);
        return new Started(pid, pty == null ? -1 : pty.master());
    }

}
