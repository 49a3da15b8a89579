package jbox.ociruntime;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Cgroups;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.linux.Gate;
import jbox.runtime.ContainerStart;
import jbox.runtime.LaunchSpec;
import jbox.runtime.RecordStore;
import jbox.runtime.Status;
import jbox.sys.Linux;
import jbox.sys.Places;
import jbox.sys.Processes;
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
 * runtime root (--root, /run/jbox-runc by default), in a {@link RecordStore} as the engine keeps its own:
 * ROOT/ID/state.json, ROOT/ID/lock and the create/start gate; the status is the engine's {@link Status}.
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
                         List<OciConfig.Hook> poststop, List<String> cgroupParentsMade) {
        public Record {
            cgroupParentsMade = cgroupParentsMade == null ? List.of() : cgroupParentsMade; // a record written before they were kept
        }
    }

    private final RecordStore<Record> store;
    final RuntimeLog log;
    private final Path callerDir;
    private final jbox.runtime.CallerFork callerFork;

    /**
     * @param err where errors and warnings go besides --log: the caller's stderr
     * @param callerDir the caller's working directory, where hooks run and relative paths start (relative: against this process's own)
     * @param callerFork who forks a created container's first process when the caller is another process (the runtime
     *                   service's client); null: this one
     */
    public OciRuntime(Path root, Path logFile, String logFormat, boolean systemdCgroup, java.io.PrintWriter err, Path callerDir,
                      jbox.runtime.CallerFork callerFork) {
        this.log = new RuntimeLog(logFile, logFormat, err);
        this.callerDir = callerDir;
        this.callerFork = callerFork;
        if (systemdCgroup) {
            throw new OciException("--systemd-cgroup is not supported: jbox manages cgroups itself (the cgroupfs driver). Configure the caller for cgroupfs: "
                    + "podman cgroup_manager = \"cgroupfs\", dockerd --exec-opt native.cgroupdriver=cgroupfs, containerd SystemdCgroup = false");
        }
        Path dir = root == null ? Places.runtimeRoot() : root;
        try {
            this.store = new RecordStore<>(dir, Record.class, "container");
        } catch (IOException e) {
            throw new OciException("cannot use the runtime root " + dir + ": " + e.getMessage());
        }
    }

    public RuntimeLog log() { return log; }

    Path dir(String id) {
        if (!ID.matcher(id).matches()) throw new OciException("invalid container id \"" + id + "\": use letters, digits, _ + - .");
        return store.dirOf(id);
    }

    Record load(String id) {
        dir(id);
        try {
            return store.load(id);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OciException("container \"" + id + "\" does not exist");
        } catch (IOException e) {
            throw new OciException("cannot read the state of " + id + ": " + e.getMessage());
        }
    }

    private void save(Record r) throws IOException { store.save(r.id(), r); }

    private FileLock lock(String id) throws IOException {
        dir(id);
        try {
            return store.lock(id);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OciException("container \"" + id + "\" does not exist");
        }
    }

    /**
     * The container's status, read from the kernel: its process gone is stopped (EXITED), still at
     * its gate created, its cgroup frozen paused. A record being made (no process yet) is stopped
     * too: create holds its lock until it is created.
     */
    Status status(Record r) {
        if (r.pid() <= 0 || !Processes.isSame(r.pid(), r.pidStartTime())) return Status.EXITED;
        if (Files.exists(dir(r.id()).resolve("gate").resolve("gate"))) return Status.CREATED;
        Cgroup cg = cgroup(r, false);
        if (cg != null && cg.frozen()) return Status.PAUSED;
        return Status.RUNNING;
    }

    private Cgroup cgroup(Record r, boolean create) {
        try {
            Cgroups layout = Cgroups.detect();
            return create ? layout.atPath(r.cgroupsPath()) : layout.existingAtPath(r.cgroupsPath());
        } catch (IOException e) {
            throw new OciException("cannot read this host's cgroups: " + e.getMessage());
        }
    }

    /** The groups above a container's that its create made, deepest first, where nothing else lives in them now. */
    private static void removeParents(List<String> made) {
        if (made.isEmpty()) return;
        try {
            Cgroups layout = Cgroups.detect();
            for (int i = made.size() - 1; i >= 0; i--) layout.removeIfEmpty(made.get(i));
        } catch (IOException e) {
            throw new OciException("cannot read this host's cgroups: " + e.getMessage());
        }
    }

    // ---- create, start, run ----

    /** create: the container's process exists, gated before exec; its pid goes to pidFile. Returns it for run. */
    public Created create(String id, Path bundle, String pidFile, String consoleSocket, int preserveFds) throws IOException {
        Path dir = dir(id);
        OciConfig c = OciConfig.read(callerDir.resolve(bundle).toAbsolutePath().normalize(), log::configWarning);
        if (c.process().terminal() && consoleSocket == null) {
            throw new OciException("cannot allocate tty if jbox-runc will detach without setting console socket (process.terminal is true: pass --console-socket)");
        }
        if (!c.process().terminal() && consoleSocket != null) throw new OciException("--console-socket given but process.terminal is false in config.json");
        try {
            store.create(id, new Record(id, 0, 0, c.bundle().toString(), c.rootfs().toString(), Instant.now().toString(), null, c.annotations(),
                    List.of(), List.of(), List.of(), List.of()));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new OciException("container with id exists: " + id);
        }
        try (FileLock ignored = lock(id)) {
            String cgroupsPath = c.cgroupsPath() != null ? c.cgroupsPath() : "/jbox-runc/" + id;
            OciBundle steps;
            Cgroup cg = null;
            ContainerStart.Created created = null;
            try {
                steps = new OciBundle(c, id, log, preserveFds, callerDir, callerFork);
                cg = Cgroups.detect().atPath(cgroupsPath);
                if (cg != null) {
                    cg.apply(c.resources());
                    cg.deviceRules(c.deviceRules());
                }
                OciConfig.Process p = c.process();
                LaunchSpec spec = new LaunchSpec(id, steps, p.args(), p.env(), p.cwd(), p.terminal(), new LaunchSpec.Stdio(0, 1, 2), cg,
                        steps.credentials(), dir);
                created = ContainerStart.create(spec);
                if (p.terminal()) {
                    if (p.consoleSize() != null) jbox.linux.Pty.resize(created.ptyMaster(), p.consoleSize()[0], p.consoleSize()[1]);
                    ConsoleSocket.send(callerDir.resolve(consoleSocket).toString(), created.ptyMaster());
                }
                Record r = new Record(id, created.pid, Processes.startTime(created.pid), c.bundle().toString(), c.rootfs().toString(),
                        Instant.now().toString(), cgroupsPath, c.annotations(), c.hooks().startContainer(), c.hooks().poststart(), c.hooks().poststop(),
                        cg == null ? List.of() : cg.madeParents());
                save(r);
                if (pidFile != null) writePidFile(callerDir.resolve(pidFile), created.pid);
                return new Created(r, created);
            } catch (RuntimeException | IOException e) {
                if (created != null) created.abort(); // a console socket that took no terminal, say
                if (cg != null) {
                    cg.destroy();
                    removeParents(cg.madeParents());
                }
                throw e;
            }
        } catch (RuntimeException | IOException e) {
            store.delete(id); // nothing is left of a create that failed
            throw e;
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

    /** start: opens the gate; returns once the program has been exec'd (or the process ended). */
    public void start(String id) throws IOException {
        Record r;
        try (FileLock ignored = lock(id)) {
            r = load(id);
            Status status = status(r);
            if (status != Status.CREATED) throw new OciException("cannot start a container that is " + status.oci() + " (only a created one starts)");
            if (!r.startContainer().isEmpty()) runStartContainerHooks(r);
            Gate.release(dir(id).resolve("gate"), r.pid(), r.pidStartTime());
            Gate.remove(dir(id).resolve("gate"));
        }
        Hooks.run("poststart", r.poststart(), Hooks.state(id, "running", r.pid(), Path.of(r.bundle()), r.annotations()), false, log, callerDir);
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
                        jbox.linux.Credentials.of(jbox.linux.Capabilities.DOCKER_DEFAULT, true, null), null, dir(r.id()), null));
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

    // ---- state, list, kill, delete ----

    public Map<String, Object> state(String id) {
        Record r = load(id);
        Status status = status(r);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", OCI_VERSION);
        m.put("id", id);
        m.put("pid", status == Status.EXITED ? 0 : r.pid());
        m.put("status", status.oci());
        m.put("bundle", r.bundle());
        m.put("rootfs", r.rootfs());
        m.put("created", r.created());
        m.put("owner", "");
        if (!r.annotations().isEmpty()) m.put("annotations", r.annotations());
        return m;
    }

    public List<Map<String, Object>> list() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String id : store.ids().stream().sorted().toList()) {
            try {
                out.add(state(id));
            } catch (OciException e) {
                // removed while we looked
            }
        }
        return out;
    }

    /** runc's kill: a created container (waiting at its gate) may be signalled too; a stopped one not. */
    public void kill(String id, int signal, boolean all) throws IOException {
        Record r = load(id);
        Status status = status(r);
        if (status == Status.EXITED) throw new OciException("container not running");
        if (all) {
            Cgroup cg = cgroup(r, false);
            if (cg != null) {
                cg.kill(signal);
                if (status == Status.PAUSED) cg.thaw();
                return;
            }
        }
        Sys.kill(r.pid(), signal);
        if (status == Status.PAUSED) {
            Cgroup cg = cgroup(r, false);
            if (cg != null) cg.thaw();
        }
    }

    public void delete(String id, boolean force) throws IOException {
        Record r;
        try (FileLock ignored = lock(id)) {
            r = load(id);
            Status status = status(r);
            Cgroup cg = cgroup(r, false);
            if (status != Status.EXITED) {
                if (!force && status != Status.CREATED) throw new OciException("cannot delete container " + id + " that is not stopped: " + status.oci());
                if (cg != null) {
                    cg.kill(Linux.SIGKILL);
                    cg.thaw();
                }
                Sys.signal(r.pid(), Linux.SIGKILL);
                if (!Processes.awaitExit(r.pid(), r.pidStartTime(), 10_000)) {
                    throw new OciException("container " + id + "'s process " + r.pid() + " did not end within 10 s of SIGKILL (it may be stuck in the kernel, in D state)");
                }
            }
            if (cg != null) cg.destroy();
            removeParents(r.cgroupParentsMade());
        }
        store.delete(id);
        Hooks.run("poststop", r.poststop(), Hooks.state(id, "stopped", 0, Path.of(r.bundle()), r.annotations()), false, log, callerDir);
    }

    // ---- pause, resume, update, ps ----

    public void pause(String id, boolean pause) {
        Record r = load(id);
        Status status = status(r);
        if (pause && !status.canPause()) throw new OciException("container not running");
        if (!pause && !status.canUnpause()) throw new OciException("container not paused");
        Cgroup cg = cgroup(r, false);
        if (cg == null) throw new OciException("container " + id + " has no cgroup to freeze");
        if (pause) cg.freeze(); else cg.thaw();
    }

    public void update(String id, jbox.cgroup.Resources resources) {
        Record r = load(id);
        if (status(r) == Status.EXITED) throw new OciException("container not running");
        Cgroup cg = cgroup(r, false);
        if (cg == null) throw new OciException("container " + id + " has no cgroup");
        cg.apply(resources);
    }

    public List<Integer> pids(String id) {
        Record r = load(id);
        Cgroup cg = cgroup(r, false);
        return cg == null ? (status(r) == Status.EXITED ? List.of() : List.of(r.pid())) : cg.pids();
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
