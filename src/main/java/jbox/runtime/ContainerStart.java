package jbox.runtime;

import jbox.cgroup.CgroupNamespace;
import jbox.linux.Executable;
import jbox.linux.Gate;
import jbox.linux.Hardening;
import jbox.linux.Loopback;
import jbox.linux.NotRunnableException;
import jbox.linux.ProcMount;
import jbox.linux.Pty;
import jbox.linux.Rootfs;
import jbox.linux.SecurePath;
import jbox.linux.ThrowawayThread;
import jbox.linux.User;
import jbox.linux.UserMounts;
import jbox.sys.Errnos;
import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;
import jbox.sys.Places;
import jbox.sys.Processes;
import jbox.linux.UserNamespace;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static jbox.sys.Linux.*;

/**
 * Starts a container from a JVM, in Java (on cgroup v2 with one small helper for the cgroup
 * namespace, see {@link CgroupNamespace}): the one start sequence
 * of jbox run, the daemon and jbox-runc (the {@link StartStep}s, in this order; the
 * {@link StartPlan} says what an image and a bundle each want at each). Three threads take part:
 *
 * <pre>
 *  E (caller)                 T (new thread, owns the namespaces)    C (container's first process)
 *  plan.prepare() [--ipc container:X: a throwaway thread clones X's /dev/shm]
 *  start T ---------------->  cgroup-thread: [v1: own tid into the cgroup; v2: a helper moved into the
 *                               cgroup unshares a cgroup namespace there (CgroupNamespace), for T to join]
 *                             namespaces: unshare(CLONE_FS); setns to shared ones (ipc, uts, net, cgroup, mnt
 *                               order); unshare(NEWNS|NEWUTS|NEWIPC|NEWNET|NEWCGROUP, as planned); pid only opened
 *                             rootfs: mount / rprivate; overlay on rootfs (a bundle: bind rootfs)
 *                             mounts: /dev (nodes, pts, shm, mqueue), --device nodes, /sys; volumes, binds,
 *                               tmpfs, parents first (a bundle: config.json's mounts)
 *                             hostname; loopback: lo up; terminal: pty, /dev/console
 *                             program: find it, the user (+ --group-add), make the workdir
 *                             read-only-root; gate: mkfifo, the spawn's file actions
 *  &lt;------------ prepared --
 *                             pid-namespace: unshare(NEWPID) or setns (--pid container:X), none for --pid host
 *                             credentials: bounding caps, no_new_privs, setres[ug]id (raw, per thread), umask,
 *                               the seccomp filter (this thread only), last
 *                             spawn: posix_spawn ------------------->  born in all of T's namespaces, PID 1
 *                             (CLONE_VFORK: T now waits for C's exec)   setsid; stdio; closefrom(3): nothing of
 *                                                                       jbox's stays open; open(gate) blocks ...
 *  find C in T's children
 *  limits: --ulimit, --oom-score-adj on C (a bundle: + prestart, createRuntime hooks)
 *  start S: proc: setns(T's mnt); mount /proc for C's pid namespace;
 *           kernel-paths: --sysctl; mask /proc paths (a bundle: + createContainer hooks)
 *           pivot: pivot_root (moves C's root too)
 *  cgroup: [v2: C's pid into cgroup.procs]
 *  network: veth end into C's network namespace as eth0, address, routes
 *  return Created                                     (the engine records the container; OCI "create" ends here)
 *  ...
 *  start: open(gate, O_RDONLY) --------------------------------------->  ... open(gate, O_WRONLY|O_CLOEXEC)
 *                                                                       returns; [pty as stdio]; chdir;
 *  gate's end: C exec'd (or died) &lt;------------------------------------  execve(program) closes the gate
 *                             posix_spawn returns 0 (or the exec errno)
 *  &lt;------------ exec result --
 * </pre>
 *
 * With a user namespace (a bundle's), E makes it with jbox-ns first (plan.prepare()), T spawns C as
 * jbox-ns enter (its descriptors instead of the gate, terminal and chdir file actions), C joins the
 * namespace at once and does those itself, and the credentials step is C's, inside it; T's spawn then
 * returns at once, and T waits for S before it ends (S joins T's mount namespace).
 *
 * When jbox-runc's front forks C for the runtime service (plan.callerFork()), it joins T's namespaces
 * and carries out T's spawn as C's parent; C then execs jbox-ns as with a user namespace, and is moved
 * into its cgroup from outside.
 *
 * T never starts a thread after the pid namespace step (pthread_create fails there) and ends after
 * the spawn; all native memory it needs is allocated before. S is a fresh thread because T is blocked.
 * In explain mode (a trace listener) each step shows as a "# step: what it does" line before its calls.
 */
public final class ContainerStart {
    private static final long TIMEOUT_SECONDS = 30;

    private ContainerStart() {}

    /** What T and S hand back to E. */
    private static final class Handoff {
        final CountDownLatch prepared = new CountDownLatch(1);
        final CountDownLatch spawned = new CountDownLatch(1);
        /** E is done with T's namespaces (S has run): a T whose spawn returned early waits for it. */
        final CountDownLatch setUp = new CountDownLatch(1);
        volatile int tid;
        volatile boolean joinedCgroup;
        volatile Path procTarget;
        volatile Pty pty;
        volatile Throwable failure;
        volatile int execErrno = -1;
        volatile int spawnedPid;
    }

    /** A container whose first process exists, gated before exec. */
    public static final class Created {
        private final LaunchSpec spec;
        private final Handoff h;
        public final int pid;
        /** pid's start time, to tell it from a later process with the same number. */
        public final long startTime;
        public final ProcMount.Method procMethod;

        private Created(LaunchSpec spec, Handoff h, int pid, ProcMount.Method procMethod) {
            this.spec = spec;
            this.h = h;
            this.pid = pid;
            this.startTime = Processes.startTime(pid);
            this.procMethod = procMethod;
        }

        /** The terminal's master end, or -1 without a tty. */
        public int ptyMaster() { return h.pty == null ? -1 : h.pty.master(); }

        /** Releases the gate and waits until the program has been exec'd; throws if it could not be. */
        public void start() {
            step(StartStep.START);
            Gate.release(spec.gateDir(), pid, startTime);
            awaitLatch(h.spawned, "the container's program to start");
            Gate.remove(spec.gateDir());
            if (h.failure != null) throw rethrow(h.failure);
            if (h.execErrno > 0) {
                int code = h.execErrno == Errnos.ENOENT ? 127 : 126;
                throw new NotRunnableException(code, "exec " + spec.args().get(0) + " failed: "
                        + SyscallException.errnoName(h.execErrno) + " (" + SyscallException.errnoText(h.execErrno) + ")");
            }
        }

        /** Kills the gated process and reaps it. */
        public void abort() {
            Sys.signal(pid, SIGKILL);
            awaitLatch(h.spawned, "the aborted process to end");
            if (h.execErrno <= 0) {
                try {
                    Sys.waitpid(pid);
                } catch (SyscallException ignored) {
                    // already reaped by glibc after a failed exec
                }
            }
            if (h.pty != null) Sys.close(h.pty.master());
            Gate.remove(spec.gateDir());
        }
    }

    public static Created create(LaunchSpec spec) {
        Sys.init();
        Places.setgroupsAllowed(); // read here: T's /proc is the container's by its credentials step
        StartPlan plan = spec.plan();
        Handoff h = new Handoff();
        plan.prepare();
        try {
            Thread t = new Thread(() -> namespaceThread(spec, h), "jbox-ns-" + shortId(spec));
            t.setDaemon(true);
            t.start();
            awaitLatch(h.prepared, "the container's namespaces and root filesystem");
            if (h.failure != null) {
                awaitLatch(h.spawned, "the namespace thread");
                throw rethrow(h.failure);
            }
            int pid = awaitChild(h);
            ProcMount.Method method;
            try {
                step(StartStep.LIMITS);
                plan.afterSpawn(pid);
                method = setupFromOutside(spec, h, pid);
                step(StartStep.CGROUP);
                // a process the caller forked was born in the caller's cgroup, not T's
                if ((!h.joinedCgroup || plan.callerFork() != null) && spec.cgroup() != null) spec.cgroup().addProcess(pid);
                step(StartStep.NETWORK);
                plan.attachNetwork(pid);
            } catch (RuntimeException e) {
                h.setUp.countDown();
                new Created(spec, h, pid, null).abort();
                throw e;
            }
            h.setUp.countDown();
            return new Created(spec, h, pid, method);
        } finally {
            h.setUp.countDown();
            plan.release();
        }
    }

    private static void namespaceThread(LaunchSpec spec, Handoff h) {
        StartPlan plan = spec.plan();
        Namespaces.Plan namespaces = plan.namespaces();
        Path root = plan.rootfs();
        boolean prepared = false;
        int gateDirFd = -1;
        int pidnsFd = -1;
        UserNamespace.Staging staging = null;
        Spawn spawn = null;
        try {
            step(StartStep.CGROUP_THREAD);
            h.tid = Sys.gettid();
            h.joinedCgroup = spec.cgroup() != null && spec.cgroup().joinThread(h.tid);
            boolean anchored = !h.joinedCgroup && spec.cgroup() != null && namespaces.isNew(Kind.CGROUP);
            try (CgroupNamespace cgroupns = anchored ? CgroupNamespace.rootedAt(spec.cgroup()) : null) {
                step(StartStep.NAMESPACES);
                Sys.unshare(CLONE_FS);
                if (anchored) cgroupns.join(); // first: it does not depend on the other namespaces, and they do not on it
                pidnsFd = Namespaces.enter(anchored ? namespaces.without(Kind.CGROUP) : namespaces);
            }
            step(StartStep.ROOTFS);
            plan.mountRoot();
            step(StartStep.MOUNTS);
            h.procTarget = plan.mountFilesystems();
            step(StartStep.HOSTNAME);
            plan.nameHost();
            step(StartStep.LOOPBACK);
            if (namespaces.isNew(Kind.NET)) Loopback.up();
            step(StartStep.TERMINAL);
            boolean late = plan.mountsAfterProc(); // then S opens the terminal and makes the root read-only, after those mounts
            if (spec.tty() && !late) openTerminal(root, h);
            step(StartStep.PROGRAM);
            List<String> env = new ArrayList<>(spec.env());
            String program = Executable.find(root, spec.args().get(0), Executable.pathOf(env));
            User user = plan.user(root);
            if (env.stream().noneMatch(e -> e.startsWith("HOME="))) env.add("HOME=" + user.home());
            SecurePath.mkdirs(root, spec.workingDir());
            step(StartStep.READ_ONLY_ROOT);
            if (plan.readOnlyRoot() && !late) UserMounts.readOnlyRoot(root);
            step(StartStep.GATE);
            gateDirFd = Gate.create(spec.gateDir());
            int gateFd = 3 + plan.preservedFds();
            // the terminal S makes later is reached as /dev/console, which it is bound over
            String tty = !spec.tty() ? null : h.pty != null ? h.pty.slaveInContainer() : plan.lateTerminalPath();
            UserNamespace userns = plan.userNamespace();
            CallerFork callerFork = plan.callerFork();
            boolean staged = userns != null || callerFork != null;
            if (staged) {
                // C execs jbox-ns at once by a descriptor (nothing of it in the container's root): it joins the user
                // namespace, then does what the file actions below do without one (the gate, the terminal, the working
                // directory) and takes the credentials there. Its descriptors sit just above the gate's. A process the
                // caller forks does the same: T's credentials are not its.
                staging = new UserNamespace.Staging(userns == null ? -1 : userns.fd(), spec.credentials().seccomp(), gateDirFd, gateFd, tty, spec.workingDir());
                spawn = staging.spawn(spec.credentials(), user, program, spec.args(), env).setsid();
            } else {
                spawn = new Spawn(program, spec.args(), env).setsid();
            }
            // With a terminal, the waiting process must not hold this process's stdio: a caller that reads
            // `create`'s output until EOF (containerd's shim) would wait for it forever.
            if (spec.tty()) {
                spawn.open(0, "/dev/null", O_RDWR, 0).dup2(0, 1).dup2(0, 2);
            } else {
                spawn.dup2(spec.stdio().in(), 0).dup2(spec.stdio().out(), 1).dup2(spec.stdio().err(), 2);
            }
            if (staging != null) {
                staging.placeDescriptors(spawn);
            } else {
                // Every other descriptor of this JVM is closed before the wait at the gate, not after: a process
                // whose jbox died while it waited must not keep jbox's sockets, locks and other containers' pipes.
                spawn.fchdir(gateDirFd).closeFrom(gateFd).open(gateFd, Gate.NAME, Gate.CHILD_FLAGS, 0);
                if (tty != null) spawn.open(0, tty, O_RDWR, 0).dup2(0, 1).dup2(0, 2);
                spawn.chdir(spec.workingDir());
            }
            int lastCap = Hardening.lastCap();
            prepared = true;
            h.prepared.countDown();

            step(StartStep.PID_NAMESPACE);
            int fd = pidnsFd;
            pidnsFd = -1;
            Namespaces.enterPid(namespaces, fd);
            step(StartStep.CREDENTIALS);
            if (!staged) spec.credentials().apply(user, lastCap); // else jbox-ns takes them inside the namespace
            step(StartStep.SPAWN);
            try {
                h.spawnedPid = callerFork != null ? forkByCaller(callerFork, spawn, h.tid, namespaces) : spawn.spawn();
                h.execErrno = 0;
            } catch (SyscallException e) {
                h.execErrno = e.errno();
            }
            // jbox-ns was exec'd at once: S still joins this thread's mount namespace, so it stays until S is done
            if (staged && h.execErrno == 0) awaitLatch(h.setUp, "the container's setup");
        } catch (Throwable e) {
            h.failure = e;
            if (h.pty != null && h.spawnedPid == 0) Sys.close(h.pty.master()); // no container will use it
        } finally {
            if (gateDirFd >= 0) Sys.close(gateDirFd);
            if (pidnsFd >= 0) Sys.close(pidnsFd);
            if (staging != null) staging.close();
            if (spawn != null) spawn.close();
            if (!prepared) h.prepared.countDown();
            h.spawned.countDown();
        }
    }

    private static void step(StartStep s) { Sys.traceLine(s.title()); }

    /**
     * The caller's fork. Should its answer be lost (the front died between its fork and its reply), the process
     * it may have made waits at a gate nobody will open: it is the one process in T's new mount namespace
     * besides the front, which is gone, and is killed there.
     */
    private static int forkByCaller(CallerFork fork, Spawn spawn, int tid, Namespaces.Plan namespaces) {
        try {
            return fork.fork(spawn.replay(), namespacePaths(tid, namespaces));
        } catch (IllegalStateException e) {
            if (namespaces.isNew(Kind.MNT)) killIn(Path.of("/proc/self/task/" + tid + "/ns/mnt"));
            throw e;
        }
    }

    private static void killIn(Path mountNamespace) {
        try {
            for (int pid : Processes.inNamespace(mountNamespace, "mnt")) Processes.signal(pid, Processes.startTime(pid), SIGKILL, 0);
        } catch (IOException e) {
            // nothing to find: the failure that brought us here is what the caller hears of
        }
    }

    /**
     * T's namespaces as another process joins them: the mount namespace last, since it changes that process's
     * root. A new pid namespace cannot be joined before its first process exists (the kernel has no
     * pid_for_children to open until then), so that process's parent makes it: "unshare:pid".
     */
    private static List<String> namespacePaths(int tid, Namespaces.Plan namespaces) {
        String ns = "/proc/" + ProcessHandle.current().pid() + "/task/" + tid + "/ns/";
        String pid = namespaces.isNew(Kind.PID) ? "unshare:pid" : ns + "pid_for_children";
        return List.of(ns + "cgroup", ns + "ipc", ns + "uts", ns + "net", pid, ns + "mnt");
    }


    private static String shortId(LaunchSpec spec) { return spec.id().substring(0, Math.min(12, spec.id().length())); }

    /**
     * C is T's child; T is blocked inside posix_spawn until C execs, so C is found through /proc.
     * (Should the spawn have returned already, or the caller have forked C, it said which pid.)
     */
    private static int awaitChild(Handoff h) {
        int pid = Gate.awaitChild(() -> h.tid, java.util.Set.of(), () -> h.spawned.getCount() == 0 || h.spawnedPid > 0);
        if (pid > 0) return pid;
        if (h.failure != null) throw rethrow(h.failure);
        if (h.execErrno > 0) throw new SyscallException("posix_spawn", "container's first process", h.execErrno);
        return h.spawnedPid;
    }

    /** The setup thread S: enters T's mount namespace, mounts /proc, protects kernel paths, pivots. */
    private static ProcMount.Method setupFromOutside(LaunchSpec spec, Handoff h, int pid) {
        StartPlan plan = spec.plan();
        boolean hostPid = plan.namespaces().isHost(Kind.PID);
        return ThrowawayThread.call("jbox-setup-" + shortId(spec), () -> {
            Spawn fallback = h.procTarget == null || hostPid ? null : ProcMount.prepareFallback(h.procTarget.toString());
            int pidns = -1;
            try {
                step(StartStep.PROC);
                pidns = Sys.open("/proc/" + pid + "/ns/pid", O_RDONLY | O_CLOEXEC, 0);
                Sys.unshare(CLONE_FS);
                // mqueue, sysfs and cgroup2 show the namespaces of whoever mounts them: the late mounts are made from C's
                if (plan.mountsAfterProc()) {
                    for (Kind k : List.of(Kind.IPC, Kind.NET, Kind.CGROUP)) {
                        if (!plan.namespaces().isHost(k)) Namespaces.join("/proc/" + pid + "/ns/" + k.link, k);
                    }
                }
                Namespaces.join("/proc/self/task/" + h.tid + "/ns/mnt", Kind.MNT);
                ProcMount.Method method = h.procTarget == null ? null
                        : hostPid ? ProcMount.mountHost(h.procTarget.toString()) : ProcMount.mount(h.procTarget.toString(), pidns, fallback);
                step(StartStep.MOUNTS_AFTER_PROC);
                if (plan.mountsAfterProc()) mountAfterProc(spec, h, pid);
                step(StartStep.KERNEL_PATHS);
                plan.beforePivot(pid); // this thread may join C's other namespaces here: it is used for nothing after
                step(StartStep.PIVOT);
                Rootfs.pivot(plan.rootfs());
                plan.afterPivot();
                return method;
            } finally {
                if (pidns >= 0) Sys.close(pidns);
                if (fallback != null) fallback.close();
            }
        });
    }

    /** S: the mounts after /proc, then what waited for them: the terminal (bound over /dev/console) and the read-only root. */
    private static void mountAfterProc(LaunchSpec spec, Handoff h, int pid) throws IOException {
        StartPlan plan = spec.plan();
        Path root = plan.rootfs();
        plan.mountAfterProc();
        if (spec.tty()) {
            openTerminal(root, h);
            String expected = plan.lateTerminalPath();
            if (!expected.equals("/dev/console") && !expected.equals(h.pty.slaveInContainer())) {
                throw new IllegalStateException("the container's terminal is " + h.pty.slaveInContainer() + ", not " + expected + " as its fresh devpts promised");
            }
        }
        if (plan.readOnlyRoot()) UserMounts.readOnlyRoot(root);
    }

    /** A pty from the container's devpts, its other end bound over /dev/console. */
    private static void openTerminal(Path root, Handoff h) throws IOException {
        h.pty = Pty.open(root.resolve("dev/pts"));
        Rootfs.bindConsole(root, root.resolve("dev/pts/" + h.pty.number()).toString());
    }

    private static void awaitLatch(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out after " + TIMEOUT_SECONDS + " s waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t.getMessage(), t);
    }
}
