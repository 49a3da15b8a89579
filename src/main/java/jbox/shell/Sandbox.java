package jbox.shell;

import jbox.text.Say;

import jbox.cgroup.Cgroup;
import jbox.cgroup.CgroupNamespace;
import jbox.cgroup.CgroupFiles;
import jbox.cgroup.Resources;
import jbox.cgroup.Usage;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.image.Image;
import jbox.linux.Executable;
import jbox.linux.Loopback;
import jbox.linux.PauseInit;
import jbox.linux.ProcMount;
import jbox.sys.Processes;
import jbox.linux.Rootfs;
import jbox.runtime.ImagePlan;
import jbox.runtime.StartPlan;
import jbox.runtime.StartStep;
import jbox.sys.Errnos;
import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;
import jbox.sys.ProcFiles;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static jbox.sys.Linux.*;

/**
 * A container taken apart. It starts as a thread that shares every namespace with the host and
 * a prepared root filesystem that is not mounted yet; each `enter` step moves that thread into
 * one new namespace, and every command run `in` the sandbox is spawned from it. The same
 * engine pieces as `jbox run` do the work (Rootfs, ProcMount, Hardening, Loopback, Cgroup).
 */
public final class Sandbox {
    public static final List<String> KINDS = Arrays.stream(Kind.values()).map(k -> k.link).toList();

    private final Engine engine;
    final String id;
    final String name;
    final Image image;
    private final Path dir;
    private NamespaceThread thread;
    private final Cgroup cgroup;
    private final boolean threadInCgroup;
    private final Set<String> entered = new LinkedHashSet<>();
    private String hostname;
    private int pid1;
    private Resources limits = Resources.NONE;

    private Sandbox(Engine engine, String id, String name, Image image, Path dir, NamespaceThread thread, Cgroup cgroup, boolean inCgroup) {
        this.engine = engine;
        this.id = id;
        this.name = name;
        this.image = image;
        this.dir = dir;
        this.thread = thread;
        this.cgroup = cgroup;
        this.threadInCgroup = inCgroup;
    }

    static Sandbox create(Engine engine, String imageName, String name, Consumer<String> progress) {
        Image image = engine.imageService().imageFor(imageName, progress);
        String id = "sb" + jbox.runtime.Names.newId().substring(0, 16);
        Path dir = engine.housekeeping().sandboxesDir().resolve(id);
        try {
            jbox.io.Owner.create(dir);
            Cgroup cgroup = engine.cgroupLayout().forContainer(id);
            NamespaceThread thread = new NamespaceThread("jbox-sandbox-" + name);
            boolean in = cgroup != null && thread.call(() -> cgroup.joinThreadExcept(thread.tid(), "freezer"), null);
            return new Sandbox(engine, id, name, image, dir, thread, cgroup, in);
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot create the sandbox");
        }
    }

    Set<String> entered() { return entered; }

    /** kind -> {host namespace, sandbox namespace} as "uts:[4026531838]" (or a note). */
    Map<String, String[]> namespaces() {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (String kind : KINDS) {
            String link = kind.equals("pid") || kind.equals("time") ? kind + "_for_children" : kind;
            // The thread cannot join a user namespace: after enter user, the sandbox's is the one its commands join.
            String sandbox = kind.equals("user") && userns != null ? "/proc/self/fd/" + userns.fd() : "/proc/self/task/" + thread.tid() + "/ns/" + link;
            out.put(kind, new String[]{readLink("/proc/self/ns/" + kind), readLink(sandbox)});
        }
        return out;
    }

    private static String readLink(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            return "(new: exists once its first process starts)";
        }
    }

    /**
     * What a container start does last, on the sandbox thread for every process it starts from now
     * on: Docker's capability set as the bounding set, no_new_privs, and the same seccomp filter
     * jbox run loads. It cannot be undone, in the sandbox as in a container.
     */
    void harden(Consumer<String> trace) {
        if (hardened) throw Say.failure("err.hardened.again");
        jbox.linux.Credentials credentials = engine.credentialsFor(jbox.runtime.Confinement.DEFAULT);
        int lastCap = jbox.linux.Hardening.lastCap();
        thread.call(() -> {
            credentials.apply(new jbox.linux.User(0, 0, new int[]{0}, "/root"), lastCap);
            return null;
        }, trace);
        hardened = true;
    }

    private boolean hardened;

    /** One namespace step. Returns what changed, in words. */
    List<String> enter(String kind, String arg, boolean bare, Consumer<String> trace) {
        if (Kind.ofLink(kind) == null) {
            throw Say.failure("err.kind", kind, String.join(", ", KINDS));
        }
        if (hardened) {
            throw Say.failure("err.hardened.noenter");
        }
        if (bare && !kind.equals("pid")) throw Say.failure("err.bare", kind);
        if (entered.contains("uts") && kind.equals("uts") && arg != null) {
            // a second try at the uts step (a lesson retried, a typo in the name): a new name, same namespace
            hostname = arg;
            thread.call(() -> {
                Sys.sethostname(hostname);
                return null;
            }, trace);
            return List.of(Say.t("uts.renamed", hostname));
        }
        if (entered.contains(kind) && !kind.equals("pid")) {
            throw Say.failure("err.entered", kind);
        }
        List<String> said = new ArrayList<>();
        switch (kind) {
            case "uts" -> {
                hostname = arg != null ? arg : name;
                thread.call(() -> {
                    Sys.unshare(CLONE_NEWUTS);
                    Sys.sethostname(hostname);
                    return null;
                }, trace);
                said.add(Say.t("uts.done", hostname, hostHostname()));
            }
            case "ipc" -> {
                thread.call(() -> { Sys.unshare(CLONE_NEWIPC); return null; }, trace);
                said.add(Say.t("ipc.done"));
            }
            case "net" -> {
                thread.call(() -> { Sys.unshare(CLONE_NEWNET); return null; }, trace);
                said.add(Say.t("net.done"));
            }
            case "mnt" -> enterMount(said, trace);
            case "pid" -> enterPid(bare, said, trace);
            case "cgroup" -> {
                // The sandbox thread stays out of the freezer it freezes; it steps in only while the namespace
                // takes its root, so /proc/self/cgroup shows / for every controller. (Moved from this thread:
                // after pivot_root the sandbox thread no longer sees /sys/fs/cgroup.)
                // On v2 a thread cannot step in alone: a helper moved into the cgroup makes the namespace, the thread joins it.
                if (threadInCgroup) cgroup.moveThread(thread.tid(), "freezer", true);
                try (CgroupNamespace made = threadInCgroup || cgroup == null ? null : CgroupNamespace.rootedAt(cgroup)) {
                    thread.call(() -> {
                        if (made == null) Sys.unshare(CLONE_NEWCGROUP); else made.join();
                        return null;
                    }, trace);
                } finally {
                    if (threadInCgroup) cgroup.moveThread(thread.tid(), "freezer", false);
                }
                if (cgroup != null) said.add(Say.t("cgroup.done", cgroup.path()));
            }
            case "user" -> said.add(enterUser());
            case "time" -> {
                thread.call(() -> { Sys.unshare(CLONE_NEWTIME); return null; }, trace);
                said.add(Say.t("time.done"));
            }
            default -> throw new IllegalStateException(kind);
        }
        entered.add(kind);
        return said;
    }

    /**
     * The one kind the sandbox thread cannot enter: a multithreaded process may not make or join a
     * user namespace. jbox-ns, single-threaded, makes it (as for a bundle's), and from now on every
     * command of the sandbox is spawned as jbox-ns enter, which joins it before it execs the command.
     * Its uid 0 is an unprivileged id outside: nobody (65534) when jbox's own namespace has it, else
     * jbox's only id. The sandbox's other namespaces stay jbox's, made by its thread.
     */
    private String enterUser() {
        long outside = jbox.sys.Places.hasUid(65534) && jbox.sys.Places.hasGid(65534) ? 65534 : 0;
        List<jbox.linux.UserNamespace.IdMap> one = List.of(new jbox.linux.UserNamespace.IdMap(0, outside, 1));
        userns = jbox.linux.UserNamespace.create(one, one);
        return Say.t("user.done", outside);
    }

    /** The sandbox's user namespace once entered: every later command joins it through jbox-ns. */
    private jbox.linux.UserNamespace userns;

    /**
     * A container start's root steps, taken here by the sandbox thread itself and at once:
     * rootfs, mounts, proc, kernel-paths and pivot, with the same plan jbox run uses for an image.
     */
    private void enterMount(List<String> said, Consumer<String> trace) {
        List<Path> lower;
        try {
            lower = engine.images().layerDirs(image);
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot unpack the image");
        }
        boolean pidReady = entered.contains("pid") && pid1 > 0 && Processes.isAlive(pid1);
        StartPlan plan = ImagePlan.forSandbox(lower, dir, engine.mountPoint(), cgroup == null ? null : cgroup.path(), entered.contains("cgroup"));
        thread.call(() -> {
            Sys.unshare(CLONE_NEWNS);
            Sys.traceLine(StartStep.ROOTFS.title());
            plan.mountRoot();
            Sys.traceLine(StartStep.MOUNTS.title());
            Path proc = plan.mountFilesystems();
            Sys.traceLine(StartStep.PROC.title());
            if (pidReady) {
                int fd = Sys.open("/proc/" + pid1 + "/ns/pid", O_RDONLY | O_CLOEXEC, 0);
                try (Spawn fallback = ProcMount.prepareFallback(proc.toString())) {
                    ProcMount.mount(proc.toString(), fd, fallback); // still before pivot_root: the host's mount(8) is in reach
                } finally {
                    Sys.close(fd);
                }
            } else {
                ProcMount.mountHost(proc.toString());
            }
            Sys.traceLine(StartStep.KERNEL_PATHS.title());
            plan.beforePivot(pid1);
            Sys.traceLine(StartStep.PIVOT.title());
            Rootfs.pivot(plan.rootfs());
            return null;
        }, trace);
        said.add(Say.t("mnt.done"));
        if (!pidReady) {
            said.add(Say.t("mnt.hostproc"));
        }
    }

    private void enterPid(boolean bare, List<String> said, Consumer<String> trace) {
        boolean again = entered.contains("pid");
        Path init = bare ? null : PauseInit.binary();
        if (again && pid1 > 0) Sys.signal(pid1, SIGKILL); // the old namespace ends with its PID 1, and every process in it
        // opened here, in the host's view: the sandbox's /proc may show another namespace by now
        if (again && jbox.sys.Places.rootless()) renewThread(trace);
        int hostPidns = again && !jbox.sys.Places.rootless() ? Sys.open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC, 0) : -1;
        try {
            thread.call(() -> {
                // pid_for_children already points at a namespace; go back to the host's before making a fresh one.
                if (hostPidns >= 0) Sys.setns(hostPidns, CLONE_NEWPID, "host pid namespace");
                Sys.unshare(CLONE_NEWPID);
                return null;
            }, trace);
        } finally {
            if (hostPidns >= 0) Sys.close(hostPidns);
        }
        pid1 = 0;
        if (bare) {
            said.add(Say.t("pid.bare"));
            return;
        }
        pid1 = startInit(init, trace);
        if (entered.contains("mnt")) remountProc(trace);
        said.add(Say.t("pid.done", pid1));
    }

    /**
     * Without root the sandbox thread cannot step back into jbox's pid namespace to make a fresh one (it
     * belongs to the host's user namespace): a new thread joins the sandbox's other namespaces instead
     * (they are jbox's own, so it may), standing where the old one stood, and takes its place.
     */
    private void renewThread(Consumer<String> trace) {
        String old = "/proc/" + Sys.getpid() + "/task/" + thread.tid() + "/ns/";
        Map<Kind, String> joins = new java.util.EnumMap<>(Kind.class);
        for (String k : entered) {
            Kind kind = Kind.ofLink(k);
            if (kind != null && Namespaces.JOIN_ORDER.contains(kind) && kind != Kind.PID) joins.put(kind, old + k);
        }
        NamespaceThread fresh = new NamespaceThread("jbox-sandbox-" + name);
        try {
            fresh.call(() -> {
                Namespaces.enter(Namespaces.Plan.of(joins));
                if (entered.contains("time")) Namespaces.join(old + "time_for_children", Kind.TIME);
                return null;
            }, trace);
        } catch (RuntimeException e) {
            fresh.stop();
            throw e;
        }
        thread.stop();
        thread = fresh;
    }

    /** catatonit as PID 1 of the new namespace, reaped by a thread of ours when it ends. */
    private int startInit(Path init, Consumer<String> trace) {
        boolean inImage = entered.contains("mnt");
        int hostCopy = inImage ? Sys.openTreeClone(init.toString()) : -1;
        int devNull = Sys.open("/dev/null", O_RDWR | O_CLOEXEC, 0);
        int pid;
        try {
            pid = thread.call(() -> inImage ? PauseInit.spawnInImage(hostCopy, devNull) : PauseInit.spawn(init, devNull), trace);
        } finally {
            Sys.close(devNull);
            if (hostCopy >= 0) Sys.close(hostCopy);
        }
        if (cgroup != null && !threadInCgroup) cgroup.addProcess(pid);
        Processes.reapInBackground(pid);
        if (cgroup == null) recordProcess(pid);
        return pid;
    }

    /**
     * After mnt, then pid: the image's /proc showed the host's processes; now it shows the new
     * namespace's. The new procfs is made beside the old one (in the sandbox's /dev, which is jbox's
     * tmpfs) and moved over it, so the old one can still run the fallback's mount(8).
     */
    private void remountProc(Consumer<String> trace) {
        int pidns = Sys.open("/proc/" + pid1 + "/ns/pid", O_RDONLY | O_CLOEXEC, 0);
        int busybox = Sys.open(STATIC_BUSYBOX, O_PATH | O_CLOEXEC, 0);
        String fresh = "/dev/.jbox-proc";
        try (Spawn fallback = new Spawn("/proc/self/fd/3", List.of("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", fresh), List.of())) {
            // inside the image's root the host's mount(8) and its libraries are out of reach: the host's
            // static busybox is run through a descriptor instead
            fallback.dup2(busybox, 3).closeFrom(4);
            thread.call(() -> {
                Files.createDirectory(Path.of(fresh));
                ProcMount.mount(fresh, pidns, fallback);
                Sys.umount2("/proc", MNT_DETACH);
                Sys.mount(fresh, "/proc", null, MS_MOVE, null);
                Files.delete(Path.of(fresh));
                return null;
            }, trace);
        } finally {
            Sys.close(busybox);
            Sys.close(pidns);
        }
    }

    /** busybox-static, which ./jbox installs: one file that runs anywhere, also inside an image's root. */
    private static final String STATIC_BUSYBOX = "/bin/busybox";

    /** Spawns a command from the sandbox thread; returns its pid. The caller waits for it. */
    int spawn(List<String> command, Consumer<String> trace) {
        return spawnWith(command, trace, s -> s);
    }

    private int spawnWith(List<String> command, Consumer<String> trace, java.util.function.UnaryOperator<Spawn> stdio) {
        if (command.isEmpty()) throw Say.failure("err.nocommand");
        boolean inImage = entered.contains("mnt");
        String path = inImage ? Engine.DEFAULT_PATH.substring(5) : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> env = new ArrayList<>(List.of("PATH=" + path, "HOME=/root", "TERM=" + System.getenv().getOrDefault("TERM", "xterm")));
        if (hostname != null) env.add("HOSTNAME=" + hostname);
        if (cgroup != null && cgroup.frozen()) {
            throw Say.failure("err.frozen");
        }
        int pid;
        // Born inside every cgroup of the sandbox, the freezer's too: the thread steps into it just for the spawn.
        if (threadInCgroup) cgroup.moveThread(thread.tid(), "freezer", true);
        try {
            pid = userns != null ? spawnInUserNamespace(command, path, env, stdio, trace)
                    : cgroup != null && !threadInCgroup ? spawnGated(command, path, env, stdio, trace) : thread.call(() -> {
                String program = Executable.find(Path.of("/"), command.get(0), path);
                try (Spawn s = new Spawn(program, command, env)) {
                    stdio.apply(s).closeFrom(3);
                    return s.spawn();
                }
            }, trace);
        } catch (jbox.linux.NotRunnableException e) {
            if (inImage) {
                throw Say.failure(127, "err.notinimage", command.get(0), e.getMessage());
            }
            throw Say.failure(127, "err.notonhost", command.get(0));
        } catch (SyscallException e) {
            if (e.errno() == Errnos.ENOMEM && entered.contains("pid")) {
                throw Say.failure("err.pidgone");
            }
            throw e;
        } finally {
            if (threadInCgroup) cgroup.moveThread(thread.tid(), "freezer", false);
        }
        if (entered.contains("pid") && pid1 == 0) pid1 = pid;
        return pid;
    }

    private static int openGate(Path gateDir) {
        try {
            return jbox.linux.Gate.create(gateDir);
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot make the sandbox's start gate");
        }
    }

    /**
     * cgroup v2 moves whole processes only, and this thread belongs to the JVM: the child waits at a
     * gate before its exec (the gate jbox run uses), is moved into the sandbox's cgroup there, and only
     * then runs the learner's program, so not one of its instructions runs outside the limits.
     */
    private int spawnGated(List<String> command, String path, List<String> env, java.util.function.UnaryOperator<Spawn> stdio,
                           Consumer<String> trace) {
        Path gateDir = dir.resolve("gate");
        int gateDirFd = openGate(gateDir);
        try {
            java.util.Set<Integer> before = children();
            java.util.concurrent.CompletableFuture<Integer> spawned = thread.submit(() -> {
                String program = Executable.find(Path.of("/"), command.get(0), path);
                int cwd = Sys.open(".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                try (Spawn s = new Spawn(program, command, env)) {
                    // the gate's directory, then back to this thread's working directory once the gate opened
                    stdio.apply(s).fchdir(gateDirFd).dup2(cwd, 3).closeFrom(4).open(4, jbox.linux.Gate.NAME, jbox.linux.Gate.CHILD_FLAGS, 0)
                            .fchdir(3).close(3);
                    return s.spawn();
                } finally {
                    Sys.close(cwd);
                }
            }, trace);
            jbox.linux.Gate.admit(gateDir, thread::tid, before, spawned::isDone, cgroup::addProcess);
            return NamespaceThread.await(spawned);
        } finally {
            Sys.close(gateDirFd);
            jbox.linux.Gate.remove(gateDir);
        }
    }

    /**
     * After enter user: the command is spawned as jbox-ns enter, which joins the user namespace, waits
     * at the gate (put into the sandbox's cgroup meanwhile, when it has one), takes uid 0 there with every
     * capability (Docker's set, no_new_privs and the seccomp filter once hardened) and execs the command.
     */
    private int spawnInUserNamespace(List<String> command, String path, List<String> env, java.util.function.UnaryOperator<Spawn> stdio,
                                     Consumer<String> trace) {
        Path gateDir = dir.resolve("gate");
        int gateDirFd = openGate(gateDir);
        jbox.linux.Credentials credentials = hardened ? engine.credentialsFor(jbox.runtime.Confinement.DEFAULT)
                : jbox.linux.Credentials.of(-1L, false, null);
        // Made here, where jbox-ns's own path is still in reach (the sandbox thread may stand in the image's root).
        try (jbox.linux.UserNamespace.Staging staging = new jbox.linux.UserNamespace.Staging(userns.fd(), credentials.seccomp(), gateDirFd, 3, null, ".")) {
            int pid = thread.call(() -> {
                String program = Executable.find(Path.of("/"), command.get(0), path);
                try (Spawn s = staging.spawn(credentials, new jbox.linux.User(0, 0, new int[]{0}, "/root"), program, command, env)) {
                    stdio.apply(s);
                    staging.placeDescriptors(s);
                    return s.spawn(); // returns as jbox-ns begins: it waits at the gate
                }
            }, trace);
            jbox.linux.Gate.admit(gateDir, pid, child -> {
                if (cgroup != null && !threadInCgroup) cgroup.addProcess(child);
            });
            return pid;
        } finally {
            Sys.close(gateDirFd);
            jbox.linux.Gate.remove(gateDir);
        }
    }

    /** The sandbox thread's children now (its PID 1, background commands). */
    private java.util.Set<Integer> children() {
        try {
            return Processes.childrenOfThread(thread.tid());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the sandbox thread's children (the kernel needs CONFIG_PROC_CHILDREN): " + e.getMessage(), e);
        }
    }

    /** A terminal for an interactive command, from the devpts the sandbox sees (the image's own once mnt is entered). */
    jbox.linux.Pty openPty() {
        return thread.call(() -> jbox.linux.Pty.open(Path.of("/dev/pts")), null);
    }

    /** spawn, with the command in a session of its own whose controlling terminal is pty. */
    int spawnOnPty(List<String> command, jbox.linux.Pty pty, Consumer<String> trace) {
        return spawnWith(command, trace, s -> s.setsid().open(0, pty.slaveInContainer(), O_RDWR, 0).dup2(0, 1).dup2(0, 2));
    }

    /** spawn with stdin from /dev/null, reaped in the background when it ends. */
    int spawnDetached(List<String> command, Consumer<String> trace) {
        int devNull = Sys.open("/dev/null", O_RDONLY | O_CLOEXEC, 0);
        int pid;
        try {
            pid = spawnWith(command, trace, s -> s.dup2(devNull, 0));
        } finally {
            Sys.close(devNull);
        }
        Processes.reapInBackground(pid);
        if (cgroup == null) recordProcess(pid);
        return pid;
    }

    /**
     * A process that outlives its command (PID 1, a background one), written down where a sandbox has no
     * cgroup to find it by (jbox without root, on a host that delegates none): if this shell is killed,
     * the next jbox's housekeeping ends it (SandboxProcesses).
     */
    private void recordProcess(int pid) {
        try {
            jbox.engine.SandboxProcesses.record(dir, pid);
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot record the sandbox's process " + pid);
        }
    }

    /** Kills whatever a probe left behind in the sandbox's cgroup, but not its PID 1. */
    void killStragglers() {
        if (cgroup == null) return;
        for (int pid : cgroup.pids()) if (pid != pid1 && pid != Sys.getpid()) Sys.signal(pid, SIGKILL);
    }

    /** What PID 1's end means, when it ends: said once. */
    String afterExit(int pid) {
        if (pid == pid1 && entered.contains("pid")) {
            return Say.t("pid.after");
        }
        return null;
    }

    List<String> loopbackUp(Consumer<String> trace) {
        if (!entered.contains("net")) throw Say.failure("err.nonet.lo");
        thread.call(() -> { Loopback.up(); return null; }, trace);
        return List.of(Say.t("lo.done"));
    }

    /** The lesson's veth pair: host end, its peer's name before the move, and the subnet, once made. */
    private String vethHost, vethPeer;
    private jbox.net.Ipv4.Subnet vethSubnet;
    private boolean vethMoved;

    private String netnsPath() { return "/proc/" + Sys.getpid() + "/task/" + thread.tid() + "/ns/net"; }

    /** Step 1: a veth pair, both ends still on the host: what goes in one end comes out of the other. */
    List<String> vethAdd(Consumer<String> trace) {
        if (!entered.contains("net")) throw Say.failure("err.nonet.veth");
        if (vethHost != null) throw new Failure("the sandbox already has its veth pair " + vethHost, "one pair is enough to reach the host", "go on with veth move");
        String base = "sbx" + id.substring(0, 6);
        Sys.trace(trace);
        try (jbox.net.Netlink nl = jbox.net.Netlink.open()) {
            jbox.net.Links.addVethPair(nl, base + "h", base + "s");
        } finally {
            Sys.trace(null);
        }
        vethHost = base + "h";
        vethPeer = base + "s";
        return List.of(Say.t("veth.added", vethHost, vethPeer));
    }

    /** Step 2: one end moves into the sandbox's network namespace, renamed eth0 as in a container. */
    List<String> vethMove(Consumer<String> trace) {
        if (vethHost == null) throw new Failure("there is no veth pair yet", "the move needs the pair", "veth add first");
        if (vethMoved) throw new Failure("eth0 is already in the sandbox", "it moved in the last step", "go on with veth addr");
        Sys.trace(trace);
        int fd = Sys.open(netnsPath(), O_RDONLY | O_CLOEXEC, 0);
        try (jbox.net.Netlink nl = jbox.net.Netlink.open()) {
            jbox.net.Links.Link peer = jbox.net.Links.find(nl, vethPeer);
            jbox.net.Links.moveInto(nl, peer.index(), vethPeer, fd, "eth0");
        } finally {
            Sys.close(fd);
            Sys.trace(null);
        }
        vethMoved = true;
        return List.of(Say.t("veth.moved", vethPeer, vethHost));
    }

    /** Step 3: an address on each end, both up; the subnet is a free /24 of 10.200.0.0/16. */
    List<String> vethAddr(Consumer<String> trace) {
        if (!vethMoved) throw new Failure("eth0 is not in the sandbox yet", "each end gets its address in its own namespace", vethHost == null ? "veth add first" : "veth move first");
        if (vethSubnet != null) throw new Failure("both ends already have addresses", "one address each is enough", "ping across: in ping -c 1 " + vethSubnet.host(1));
        jbox.net.Ipv4.Subnet subnet = null;
        Sys.trace(trace);
        // chosen and taken under the host-wide network lock: thirty learners' sandboxes get thirty /24s
        try (jbox.io.FileLock hostWide = jbox.net.Bridges.lock();
             jbox.net.Netlink host = jbox.net.Netlink.open(); jbox.net.Netlink in = jbox.net.Netlink.openIn(netnsPath())) {
            List<jbox.net.Ipv4.Subnet> used = jbox.net.Bridges.hostSubnets();
            for (int i = 0; i < 256 && subnet == null; i++) {
                jbox.net.Ipv4.Subnet c = jbox.net.Ipv4.Subnet.parse("10.200." + i + ".0/24");
                if (used.stream().noneMatch(c::overlaps)) subnet = c;
            }
            if (subnet == null) throw new Failure("no free /24 is left in 10.200.0.0/16", "the host uses all of them", "discard other sandboxes");
            jbox.net.Links.Link h = jbox.net.Links.find(host, vethHost);
            jbox.net.Links.addAddress(host, h.index(), vethHost, subnet.host(1), subnet);
            jbox.net.Links.up(host, h.index(), vethHost);
            jbox.net.Links.Link eth0 = jbox.net.Links.find(in, "eth0");
            jbox.net.Links.addAddress(in, eth0.index(), "eth0", subnet.host(2), subnet);
            jbox.net.Links.up(in, eth0.index(), "eth0");
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot take the host-wide network lock");
        } finally {
            Sys.trace(null);
        }
        vethSubnet = subnet;
        return List.of(Say.t("veth.addressed", vethHost, subnet.host(1) + "/24", subnet.host(2) + "/24", subnet.host(1), vethHost));
    }

    /** The host end's address, once veth addr gave it one. */
    String vethHostAddress() {
        if (vethSubnet == null) throw new Failure("the veth ends have no addresses yet", "ping needs an address to send to", vethHost == null ? "veth add, veth move, veth addr first" : "veth addr first");
        return vethSubnet.host(1).toString();
    }

    /** The host end, if the lesson made one: the sandbox's end dies with its namespace, the host's must be deleted. */
    private void removeVeth() {
        if (vethHost == null) return;
        try (jbox.net.Netlink nl = jbox.net.Netlink.open()) {
            jbox.net.Links.Link h = jbox.net.Links.find(nl, vethHost);
            if (h != null) jbox.net.Links.delete(nl, h.index(), vethHost);
        } catch (RuntimeException e) {
            // deleted with its peer's namespace meanwhile
        }
        vethHost = null;
    }

    Resources limits() { return limits; }

    /** Writes one limit to the sandbox's cgroup; trace sees each file write. */
    void limit(Resources r, Consumer<String> trace) {
        requireCgroup();
        CgroupFiles.trace(trace == null ? null : (file, value) -> trace.accept("write " + file + " \"" + value + "\""));
        try {
            cgroup.apply(r);
        } finally {
            CgroupFiles.trace(null);
        }
        limits = limits.merge(r);
    }

    Usage usage() {
        requireCgroup();
        return cgroup.usage();
    }

    void freeze(boolean freeze, Consumer<String> trace) {
        requireCgroup();
        CgroupFiles.trace(trace == null ? null : (file, value) -> trace.accept("write " + file + " \"" + value + "\""));
        try {
            if (freeze) cgroup.freeze(); else cgroup.thaw();
        } finally {
            CgroupFiles.trace(null);
        }
    }

    private void requireCgroup() {
        if (cgroup == null) throw new Failure("this host has no cgroups mounted", "limits are cgroup files", "mount cgroup2 on /sys/fs/cgroup");
    }

    String hostname() { return hostname; }

    Path upperDir() { return dir.resolve("upper"); }

    /** How explain mode names the host paths of this sandbox. */
    java.util.Map<String, String> traceNames() {
        return TraceView.names(engine.mountPoint().toString(), dir.toString(), engine.root().resolve("layers").toString());
    }

    /** Ends every process of the sandbox and frees its thread, cgroup and files. */
    void discard() {
        if (cgroup != null) {
            cgroup.kill(SIGKILL);
            cgroup.thaw();
        }
        if (pid1 > 0) Sys.signal(pid1, SIGKILL);
        thread.stop();
        if (userns != null) userns.close();
        removeVeth();
        if (cgroup != null) cgroup.destroy();
        try {
            jbox.io.Owner.delete(dir);
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot remove the sandbox's files");
        }
    }

    private static String hostHostname() {
        try {
            return ProcFiles.read(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

}
