package jbox.runtime;

import jbox.linux.NotRunnableException;

import jbox.linux.UserMounts;

import jbox.linux.User;

import jbox.linux.Executable;

import jbox.linux.Gate;

import jbox.linux.ProcessLimits;

import jbox.linux.Sysctls;

import jbox.linux.DeviceNode;

import jbox.linux.Loopback;

import jbox.linux.Pty;

import jbox.linux.Hardening;

import jbox.linux.ProcMount;

import jbox.linux.Rootfs;

import jbox.linux.SecurePath;
import jbox.sys.Errnos;
import jbox.sys.Linux;
import jbox.sys.ProcFiles;
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
 * Starts a container from a JVM, in pure Java, with no helper process. Three threads take part:
 *
 * <pre>
 *  E (caller)                 T (new thread, owns the namespaces)    C (container's first process)
 *  [--ipc container:X: a throwaway thread clones X's /dev/shm]
 *  start T ---------------->  [v1: move own tid into the cgroup]
 *                             unshare(CLONE_FS); [setns(ipc of X)]
 *                             unshare(NEWNS|NEWUTS|NEWIPC|NEWNET|NEWCGROUP, less what --uts/--ipc/--cgroupns/--network share)
 *                             mount / rprivate; overlay on rootfs;
 *                             /dev (shm, --device nodes), /sys; volumes; hostname; lo up; pty
 *                             find program, user (+ --group-add), workdir; mkfifo gate
 *  &lt;------------ prepared --
 *                             unshare(NEWPID) (or setns to --pid container:X, or none for --pid host);
 *                             drop bounding caps, no_new_privs, setres[ug]id (raw, per thread),
 *                             load the seccomp filter (this thread only)
 *                             posix_spawn --------------------------->  born in all of T's namespaces, PID 1
 *                             (CLONE_VFORK: T now waits for C's exec)   setsid; stdio; closefrom(3): nothing of
 *                                                                       jbox's stays open; open(gate) blocks ...
 *  find C in T's children
 *  --ulimit, --oom-score-adj on C
 *  start S: setns(T's mnt); mount /proc for C's pid namespace;
 *           --sysctl; mask /proc paths; pivot_root (moves C's root too)
 *  v2: write C's pid to cgroup.procs
 *  return Created                                     (OCI "create" ends here)
 *  ...
 *  start(): open(gate, O_WRONLY) ------------------------------------->  ... open returns; [pty as stdio];
 *                                                                       chdir; execve(program)
 *                             posix_spawn returns 0 (or the exec errno)
 *  &lt;------------ exec result --
 * </pre>
 *
 * T never starts a thread after unshare(NEWPID) (pthread_create fails there) and ends after the
 * spawn; all native memory it needs is allocated before. S is a fresh thread because T is blocked.
 */
public final class ContainerStart {
    private static final long TIMEOUT_SECONDS = 30;

    private ContainerStart() {}

    /** What T and S hand back to E. */
    private static final class Handoff {
        final CountDownLatch prepared = new CountDownLatch(1);
        final CountDownLatch spawned = new CountDownLatch(1);
        volatile int tid;
        volatile boolean joinedCgroup;
        volatile Path procTarget;
        volatile Pty pty;
        volatile Throwable failure;
        volatile int execErrno = -1;
        volatile int spawnedPid;
        volatile int shmFd = -1;
    }

    /** A container whose first process exists, gated before exec. */
    public static final class Created {
        private final LaunchSpec spec;
        private final Handoff h;
        public final int pid;
        public final ProcMount.Method procMethod;

        private Created(LaunchSpec spec, Handoff h, int pid, ProcMount.Method procMethod) {
            this.spec = spec;
            this.h = h;
            this.pid = pid;
            this.procMethod = procMethod;
        }

        /** The terminal's master end, or -1 without a tty. */
        public int ptyMaster() { return h.pty == null ? -1 : h.pty.master(); }

        /** Releases the gate and waits until the program has been exec'd; throws if it could not be. */
        public void start() {
            Gate.open(spec.gateDir(), pid);
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
        Handoff h = new Handoff();
        if (spec.ipcWith() > 0) h.shmFd = cloneMount(spec.ipcWith(), "/dev/shm");
        Thread t = new Thread(() -> namespaceThread(spec, h), "jbox-ns-" + spec.id().substring(0, Math.min(12, spec.id().length())));
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
            if (spec.bundle() != null) spec.bundle().afterSpawn(pid); else limits(spec.confinement(), pid);
            method = setupFromOutside(spec, h, pid);
            if (!h.joinedCgroup && spec.cgroup() != null) spec.cgroup().addProcess(pid);
        } catch (RuntimeException e) {
            Created c = new Created(spec, h, pid, null);
            c.abort();
            throw e;
        }
        return new Created(spec, h, pid, method);
    }

    private static void namespaceThread(LaunchSpec spec, Handoff h) {
        boolean prepared = false;
        int gateDirFd = -1;
        int pidnsFd = -1;
        Spawn spawn = null;
        try {
            h.tid = Sys.gettid();
            h.joinedCgroup = spec.cgroup() != null && spec.cgroup().joinThread(h.tid);
            Sys.unshare(CLONE_FS);
            BundleSteps bundle = spec.bundle();
            Path root = spec.rootfs();
            if (bundle != null) {
                bundle.enterNamespaces();
                h.procTarget = bundle.mountRoot();
                if (spec.hostname() != null) Sys.sethostname(spec.hostname());
                if (bundle.newNetNamespace()) Loopback.up();
            } else {
                Confinement c = spec.confinement();
                if (spec.ipcWith() > 0) join(spec.ipcWith(), "ipc", CLONE_NEWIPC);
                if (spec.pidWith() > 0) pidnsFd = Sys.open("/proc/" + spec.pidWith() + "/ns/pid", O_RDONLY | O_CLOEXEC, 0);
                boolean ownIpc = spec.ipcWith() == 0 && !c.ipcMode().equals("host");
                Sys.unshare(CLONE_NEWNS | (c.utsMode().equals("host") ? 0 : CLONE_NEWUTS) | (ownIpc ? CLONE_NEWIPC : 0)
                        | (c.cgroupnsMode().equals("host") ? 0 : CLONE_NEWCGROUP) | (spec.hostNetwork() ? 0 : CLONE_NEWNET));
                Sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
                Rootfs.mountOverlay(spec.lowerDirs(), spec.upperDir(), spec.workDir(), spec.rootfs());
                h.procTarget = SecurePath.mkdirs(root, "/proc");
                Rootfs.mountDev(root, c.shmBytes(), c.ipcMode().equals("none") || h.shmFd >= 0 ? "none" : c.ipcMode().equals("host") ? "/dev/shm" : null);
                if (h.shmFd >= 0) Sys.moveMount(h.shmFd, SecurePath.mkdirs(root, "/dev/shm").toString()); // the other container's /dev/shm itself
                for (DeviceNode d : spec.devices()) Rootfs.makeDevice(root, d);
                Rootfs.mountSys(root, c.privileged());
                UserMounts.apply(root, spec.mounts());
                if (!c.utsMode().equals("host")) Sys.sethostname(spec.hostname());
                if (!spec.hostNetwork()) Loopback.up();
            }
            if (spec.tty()) {
                h.pty = Pty.open(root.resolve("dev/pts"));
                Rootfs.bindConsole(root, root.resolve("dev/pts/" + h.pty.number()).toString());
            }
            List<String> env = new ArrayList<>(spec.env());
            String program = Executable.find(root, spec.args().get(0), Executable.pathOf(env));
            User user = bundle != null ? bundle.user(root) : User.resolve(root, spec.user()).withGroups(root, spec.confinement().groupAdd());
            if (env.stream().noneMatch(e -> e.startsWith("HOME="))) env.add("HOME=" + user.home());
            SecurePath.mkdirs(root, spec.workingDir());
            if (spec.readOnlyRootfs()) UserMounts.readOnlyRoot(root);
            gateDirFd = Gate.create(spec.gateDir());
            spawn = new Spawn(program, spec.args(), env).setsid();
            int kept = bundle == null ? 0 : bundle.preservedFds();
            // With a terminal, the waiting process must not hold this process's stdio: a caller that reads
            // `create`'s output until EOF (containerd's shim) would wait for it forever.
            if (h.pty != null) {
                spawn.open(0, "/dev/null", O_RDWR, 0).dup2(0, 1).dup2(0, 2);
            } else {
                spawn.dup2(spec.stdio().in(), 0).dup2(spec.stdio().out(), 1).dup2(spec.stdio().err(), 2);
            }
            // Every other descriptor of this JVM is closed before the wait at the gate, not after: a process
            // whose jbox died while it waited must not keep jbox's sockets, locks and other containers' pipes.
            int gateFd = 3 + kept;
            spawn.fchdir(gateDirFd).closeFrom(gateFd).open(gateFd, Gate.NAME, O_RDONLY, 0).close(gateFd);
            if (h.pty != null) spawn.open(0, h.pty.slaveInContainer(), O_RDWR, 0).dup2(0, 1).dup2(0, 2);
            spawn.chdir(spec.workingDir());
            int lastCap = Hardening.lastCap();
            prepared = true;
            h.prepared.countDown();

            if (bundle != null ? bundle.newPidNamespace() : pidnsFd < 0 && !spec.confinement().pidMode().equals("host")) Sys.unshare(CLONE_NEWPID);
            if (pidnsFd >= 0) Sys.setns(pidnsFd, CLONE_NEWPID, "the pid namespace of " + spec.confinement().pidMode());
            spec.credentials().apply(user, lastCap);
            try {
                h.spawnedPid = spawn.spawn();
                h.execErrno = 0;
            } catch (SyscallException e) {
                h.execErrno = e.errno();
            }
        } catch (Throwable e) {
            h.failure = e;
            if (h.pty != null && h.spawnedPid == 0) Sys.close(h.pty.master()); // no container will use it
        } finally {
            if (gateDirFd >= 0) Sys.close(gateDirFd);
            if (pidnsFd >= 0) Sys.close(pidnsFd);
            if (h.shmFd >= 0) Sys.close(h.shmFd);
            if (spawn != null) spawn.close();
            if (!prepared) h.prepared.countDown();
            h.spawned.countDown();
        }
    }

    /**
     * A detached copy of a mount in another container's mount namespace (--ipc container:NAME shares its
     * /dev/shm): a bind mount cannot cross mount namespaces, but a tree cloned there can be attached here.
     * A throwaway thread enters that namespace for the clone.
     */
    private static int cloneMount(int pid, String path) {
        int[] fd = {-1};
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                Sys.unshare(CLONE_FS);
                join(pid, "mnt", CLONE_NEWNS);
                fd[0] = Sys.openTreeClone(path);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "jbox-clone-mount");
        t.setDaemon(true);
        t.start();
        try {
            t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) throw rethrow(failure[0]);
        if (fd[0] < 0) throw new IllegalStateException("cloning " + path + " of process " + pid + " did not finish");
        return fd[0];
    }

    /** T joins another container's (or the host's) namespace of one kind instead of making one. */
    private static void join(int pid, String kind, int type) {
        int fd = Sys.open("/proc/" + pid + "/ns/" + kind, O_RDONLY | O_CLOEXEC, 0);
        try {
            Sys.setns(fd, type, "the " + kind + " namespace of process " + pid);
        } finally {
            Sys.close(fd);
        }
    }

    /** E, while C waits at its gate: --ulimit and --oom-score-adj, which C keeps through its exec. */
    private static void limits(Confinement c, int pid) {
        for (Confinement.Ulimit u : c.ulimits()) ProcessLimits.rlimit(pid, u.resource(), u.soft(), u.hard(), u.name());
        if (c.oomScoreAdj() != 0) ProcessLimits.oomScoreAdj(pid, c.oomScoreAdj());
    }

    /** C is T's child; T is blocked inside posix_spawn until C execs, so C is found through /proc. */
    private static int awaitChild(Handoff h) {
        Path children = Path.of("/proc/self/task/" + h.tid + "/children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (h.spawned.getCount() == 0) {
                if (h.failure != null) throw rethrow(h.failure);
                if (h.execErrno > 0) throw new SyscallException("posix_spawn", "container's first process", h.execErrno);
            }
            try {
                String s = ProcFiles.read(children).trim();
                if (!s.isEmpty()) return Integer.parseInt(s.split("\\s+")[0]);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + children + " (the kernel needs CONFIG_PROC_CHILDREN): " + e.getMessage(), e);
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("the container's first process did not appear within " + TIMEOUT_SECONDS + " s");
    }

    /** The setup thread S: enters T's mount namespace, mounts /proc, hardens, pivots. */
    private static ProcMount.Method setupFromOutside(LaunchSpec spec, Handoff h, int pid) {
        ProcMount.Method[] method = new ProcMount.Method[1];
        Throwable[] failure = new Throwable[1];
        boolean hostPid = spec.bundle() == null && spec.confinement().pidMode().equals("host");
        Thread s = new Thread(() -> {
            Spawn fallback = h.procTarget == null || hostPid ? null : ProcMount.prepareFallback(h.procTarget.toString());
            int pidns = Sys.open("/proc/" + pid + "/ns/pid", O_RDONLY | O_CLOEXEC, 0);
            int mntns = Sys.open("/proc/self/task/" + h.tid + "/ns/mnt", O_RDONLY | O_CLOEXEC, 0);
            try {
                Sys.unshare(CLONE_FS);
                Sys.setns(mntns, Linux.CLONE_NEWNS, "container mount namespace");
                if (h.procTarget != null) method[0] = hostPid ? ProcMount.mountHost(h.procTarget.toString()) : ProcMount.mount(h.procTarget.toString(), pidns, fallback);
                if (spec.bundle() != null) {
                    spec.bundle().beforePivot(pid);
                } else {
                    Confinement c = spec.confinement();
                    Sysctls.write(spec.rootfs(), pid, c.sysctls()); // before /proc/sys turns read-only; this thread then stays in C's namespaces
                    Hardening.protectKernelPaths(spec.rootfs(), c.masked(), c.readOnly());
                }
                Rootfs.pivot(spec.rootfs());
            } catch (Throwable e) {
                failure[0] = e;
            } finally {
                Sys.close(pidns);
                Sys.close(mntns);
                if (fallback != null) fallback.close();
            }
        }, "jbox-setup-" + spec.id().substring(0, Math.min(12, spec.id().length())));
        s.setDaemon(true);
        s.start();
        try {
            s.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the container", e);
        }
        if (s.isAlive()) throw new IllegalStateException("setting up /proc and pivot_root did not finish within " + TIMEOUT_SECONDS + " s");
        if (failure[0] != null) throw rethrow(failure[0]);
        return method[0];
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
