package jbox.ociruntime;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Cgroups;
import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.runtime.ContainerStart;
import jbox.linux.Gate;
import jbox.runtime.LaunchSpec;
import jbox.sys.Processes;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * jbox as an OCI runtime: runc's commands over jbox's engine code. Containers live under the
 * runtime root (--root, /run/jbox-runc by default): ROOT/ID/state.json and the create/start gate.
 * Each command is its own short process, as with runc: `create` leaves the container's first
 * process waiting at its gate, re-parented to the caller's subreaper (conmon, containerd's shim),
 * and `start` opens the gate.
 */
public final class OciRuntime {
    public static final String OCI_VERSION = "1.0.2";
    private static final Pattern ID = Pattern.compile("[\\w+\\-.]+");

    /** What ROOT/ID/state.json keeps between commands. */
    public record Record(String id, int pid, long pidStartTime, String bundle, String rootfs, String created, String cgroupsPath,
                         Map<String, String> annotations, List<OciConfig.Hook> startContainer, List<OciConfig.Hook> poststart,
                         List<OciConfig.Hook> poststop) {}

    private final Path root;
    final RuntimeLog log;

    public OciRuntime(String root, String logFile, String logFormat, boolean systemdCgroup) {
        this.log = new RuntimeLog(logFile, logFormat);
        if (systemdCgroup) {
            throw new OciException("--systemd-cgroup is not supported: jbox manages cgroups itself (the cgroupfs driver). Configure the caller for cgroupfs: "
                    + "podman cgroup_manager = \"cgroupfs\", dockerd --exec-opt native.cgroupdriver=cgroupfs, containerd SystemdCgroup = false");
        }
        this.root = Path.of(root == null || root.isEmpty() ? "/run/jbox-runc" : root);
    }

    public RuntimeLog log() { return log; }

    private Path dir(String id) {
        if (!ID.matcher(id).matches()) throw new OciException("invalid container id \"" + id + "\": use letters, digits, _ + - .");
        return root.resolve(id);
    }

    Record load(String id) {
        Path f = dir(id).resolve("state.json");
        try {
            return Json.read(Files.readAllBytes(f), Record.class, "container " + id);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OciException("container \"" + id + "\" does not exist");
        } catch (IOException e) {
            throw new OciException("cannot read the state of " + id + ": " + e.getMessage());
        }
    }

    private void save(Record r) throws IOException {
        AtomicFiles.write(dir(r.id()), dir(r.id()).resolve("state.json"), Json.bytes(r));
    }

    private FileLock lock(String id) throws IOException {
        Files.createDirectories(root);
        return FileLock.acquire(root.resolve(id + ".lock"));
    }

    /** The spec's states: creating is never seen from outside (create holds the lock until created). */
    String status(Record r) {
        if (r.pid() <= 0 || !Processes.isSame(r.pid(), r.pidStartTime())) return "stopped";
        if (Files.exists(dir(r.id()).resolve("gate").resolve("gate"))) return "created";
        Cgroup cg = cgroup(r, false);
        if (cg != null && cg.frozen()) return "paused";
        return "running";
    }

    private Cgroup cgroup(Record r, boolean create) {
        try {
            Cgroups layout = Cgroups.detect();
            return create ? layout.atPath(r.cgroupsPath()) : layout.existingAtPath(r.cgroupsPath());
        } catch (IOException e) {
            throw new OciException("cannot read this host's cgroups: " + e.getMessage());
        }
    }

    // ---- create, start, run ----

    /** create: the container's process exists, gated before exec; its pid goes to pidFile. Returns it for run. */
    public Created create(String id, Path bundle, String pidFile, String consoleSocket, int preserveFds) throws IOException {
        Path dir = dir(id);
        try (FileLock ignored = lock(id)) {
            if (Files.exists(dir.resolve("state.json"))) throw new OciException("container with id exists: " + id);
            OciConfig c;
            try {
                c = OciConfig.read(bundle.toAbsolutePath().normalize());
            } catch (OciException e) {
                Files.deleteIfExists(root.resolve(id + ".lock"));
                throw e;
            }
            if (c.process().terminal() && consoleSocket == null) {
                throw new OciException("cannot allocate tty if jbox-runc will detach without setting console socket (process.terminal is true: pass --console-socket)");
            }
            if (!c.process().terminal() && consoleSocket != null) throw new OciException("--console-socket given but process.terminal is false in config.json");
            String cgroupsPath = c.cgroupsPath() != null ? c.cgroupsPath() : "/jbox-runc/" + id;
            Files.createDirectories(dir);
            OciBundle steps = null;
            Cgroup cg = null;
            try {
                steps = new OciBundle(c, id, log, preserveFds);
                cg = Cgroups.detect().atPath(cgroupsPath);
                if (cg != null) {
                    cg.apply(c.resources());
                    cg.deviceRules(c.deviceRules());
                }
                OciConfig.Process p = c.process();
                LaunchSpec spec = new LaunchSpec(id, c.hostname(), List.of(), dir, p.args(), p.env(), p.cwd(), "", p.terminal(),
                        new LaunchSpec.Stdio(0, 1, 2), cg, List.of(), c.rootReadonly(), false, steps.credentials(), jbox.runtime.Confinement.DEFAULT, List.of(), 0, 0, steps);
                ContainerStart.Created created = ContainerStart.create(spec);
                if (p.terminal()) {
                    if (p.consoleSize() != null) jbox.linux.Pty.resize(created.ptyMaster(), p.consoleSize()[0], p.consoleSize()[1]);
                    ConsoleSocket.send(consoleSocket, created.ptyMaster());
                }
                Record r = new Record(id, created.pid, Processes.startTime(created.pid), c.bundle().toString(), c.rootfs().toString(),
                        Instant.now().toString(), cgroupsPath, c.annotations(), c.hooks().startContainer(), c.hooks().poststart(), c.hooks().poststop());
                save(r);
                if (pidFile != null) writePidFile(Path.of(pidFile), created.pid);
                return new Created(r, created);
            } catch (RuntimeException | IOException e) {
                if (cg != null) cg.destroy();
                AtomicFiles.deleteTree(dir);
                Files.deleteIfExists(root.resolve(id + ".lock"));
                throw e;
            }
        }
    }

    /** What create made, for run (which waits in the same process). */
    public record Created(Record record, ContainerStart.Created process) {}

    /** runc writes the pid file atomically: a caller polling it never reads half a number. */
    static void writePidFile(Path file, int pid) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, String.valueOf(pid));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** start: opens the gate; returns once the program has been exec'd (or says why it could not be). */
    public void start(String id) throws IOException {
        Record r;
        try (FileLock ignored = lock(id)) {
            r = load(id);
            String status = status(r);
            if (!status.equals("created")) throw new OciException("cannot start a container that is " + status + " (only a created one starts)");
            if (!r.startContainer().isEmpty()) runStartContainerHooks(r);
            Gate.open(dir(id).resolve("gate"), r.pid());
            Gate.remove(dir(id).resolve("gate"));
        }
        awaitExec(r);
        Hooks.run("poststart", r.poststart(), Hooks.state(id, "running", r.pid(), Path.of(r.bundle()), r.annotations()), false, log);
    }

    /**
     * startContainer hooks run inside the container (its namespaces and root, as `exec` runs a
     * process) before its program starts; a failing one fails start and the container is killed.
     */
    private void runStartContainerHooks(Record r) throws IOException {
        byte[] state = Hooks.state(r.id(), "created", r.pid(), Path.of(r.bundle()), r.annotations());
        for (OciConfig.Hook h : r.startContainer()) {
            int stdin = Hooks.stateOnPipe(state);
            int code;
            try {
                List<String> args = new ArrayList<>();
                args.add(h.path());
                if (h.args().size() > 1) args.addAll(h.args().subList(1, h.args().size()));
                jbox.runtime.ExecStart.Started s = jbox.runtime.ExecStart.start(new jbox.runtime.ExecStart.Spec(r.id(), r.pid(), args, h.env(), "/", "0:0",
                        false, new LaunchSpec.Stdio(stdin, 2, 2), cgroup(r, false),
                        jbox.linux.Credentials.of(jbox.linux.Capabilities.DOCKER_DEFAULT, true, null), null));
                code = Linux.exitCode(Sys.waitpid(s.pid()));
            } finally {
                Sys.close(stdin);
            }
            if (code != 0) {
                Sys.signal(r.pid(), Linux.SIGKILL);
                throw new OciException("startContainer hook " + h.path() + ": exit status " + code);
            }
        }
    }

    /** The gated process is the JVM's vfork child until it execs: wait until its program is no longer java, or it died. */
    private static void awaitExec(Record r) {
        Path exe = Path.of("/proc/" + r.pid() + "/exe");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!Processes.isSame(r.pid(), r.pidStartTime())) return; // ran and ended already, or failed: state shows stopped
            try {
                String target = Files.readSymbolicLink(exe).toString();
                if (!target.contains("/java") && !target.contains("jvm")) return;
            } catch (IOException e) {
                return; // gone
            }
            Thread.onSpinWait();
        }
        throw new OciException("the container's process " + r.pid() + " did not start its program within 10 s");
    }

    // ---- state, list, kill, delete ----

    public Map<String, Object> state(String id) {
        Record r = load(id);
        String status = status(r);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", OCI_VERSION);
        m.put("id", id);
        m.put("pid", status.equals("stopped") ? 0 : r.pid());
        m.put("status", status);
        m.put("bundle", r.bundle());
        m.put("rootfs", r.rootfs());
        m.put("created", r.created());
        m.put("owner", "");
        if (!r.annotations().isEmpty()) m.put("annotations", r.annotations());
        return m;
    }

    public List<Map<String, Object>> list() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (var s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                if (!Files.isRegularFile(d.resolve("state.json"))) continue;
                try {
                    out.add(state(d.getFileName().toString()));
                } catch (OciException e) {
                    // removed while we looked
                }
            }
        }
        return out;
    }

    public void kill(String id, int signal, boolean all) throws IOException {
        Record r = load(id);
        String status = status(r);
        if (status.equals("stopped")) throw new OciException("container not running");
        if (all) {
            Cgroup cg = cgroup(r, false);
            if (cg != null) {
                cg.kill(signal);
                if (status.equals("paused")) cg.thaw();
                return;
            }
        }
        Sys.kill(r.pid(), signal);
        if (status.equals("paused")) {
            Cgroup cg = cgroup(r, false);
            if (cg != null) cg.thaw();
        }
    }

    public void delete(String id, boolean force) throws IOException {
        Record r;
        try (FileLock ignored = lock(id)) {
            if (!Files.exists(dir(id).resolve("state.json"))) Files.deleteIfExists(root.resolve(id + ".lock"));
            r = load(id);
            String status = status(r);
            Cgroup cg = cgroup(r, false);
            if (!status.equals("stopped")) {
                if (!force && !status.equals("created")) throw new OciException("cannot delete container " + id + " that is not stopped: " + status);
                if (cg != null) {
                    cg.kill(Linux.SIGKILL);
                    cg.thaw();
                }
                Sys.signal(r.pid(), Linux.SIGKILL);
                for (int i = 0; i < 2000 && Processes.isSame(r.pid(), r.pidStartTime()); i++) sleep(5);
            }
            if (cg != null) cg.destroy();
            AtomicFiles.deleteTree(dir(id));
            Files.deleteIfExists(root.resolve(id + ".lock"));
        }
        Hooks.run("poststop", r.poststop(), Hooks.state(id, "stopped", 0, Path.of(r.bundle()), r.annotations()), false, log);
    }

    // ---- pause, resume, update, ps ----

    public void pause(String id, boolean pause) {
        Record r = load(id);
        String status = status(r);
        if (pause && !status.equals("running")) throw new OciException("container not running");
        if (!pause && !status.equals("paused")) throw new OciException("container not paused");
        Cgroup cg = cgroup(r, false);
        if (cg == null) throw new OciException("container " + id + " has no cgroup to freeze");
        if (pause) cg.freeze(); else cg.thaw();
    }

    public void update(String id, jbox.cgroup.Resources resources) {
        Record r = load(id);
        if (status(r).equals("stopped")) throw new OciException("container not running");
        Cgroup cg = cgroup(r, false);
        if (cg == null) throw new OciException("container " + id + " has no cgroup");
        cg.apply(resources);
    }

    public List<Integer> pids(String id) {
        Record r = load(id);
        Cgroup cg = cgroup(r, false);
        return cg == null ? (status(r).equals("stopped") ? List.of() : List.of(r.pid())) : cg.pids();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String json(Object o) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
