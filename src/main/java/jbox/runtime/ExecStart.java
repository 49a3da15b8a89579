package jbox.runtime;

import jbox.linux.NotRunnableException;

import jbox.linux.User;

import jbox.linux.Executable;
import jbox.linux.Gate;

import jbox.linux.Credentials;

import jbox.linux.Pty;
import jbox.linux.ThrowawayThread;
import jbox.linux.UserNamespace;

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
 * The new process is a child of this JVM, so the caller waits for it. It is born in the container's
 * cgroup: on v1 the thread joins the cgroup first; on v2, where only whole processes move, the process
 * waits at a start gate (as a container's first process does) until it has been moved in. It waits there
 * too while it gets the container's rlimits, so its program starts with them.
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
     * @param stateDir     the container's directory on the host, where an exec's start gate lives while it waits
     * @param limits       applied to the new process while it waits at its gate, before its program runs: the container's
     *                     rlimits and OOM score, as runc exec gives them (null: none)
     */
    public record Spec(String id, int containerPid, List<String> args, List<String> env, String workingDir, String user,
                       boolean tty, LaunchSpec.Stdio stdio, Cgroup cgroup, Credentials credentials, int[] groups, Path stateDir,
                       java.util.function.IntConsumer limits) {}

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
        String name = "jbox-exec-" + spec.id().substring(0, Math.min(12, spec.id().length()));
        Path gateDir = spec.stateDir().resolve("exec-gate-" + Long.toHexString(System.nanoTime()) + "-" + Sys.gettid());
        if (ownUserNamespace(spec.containerPid())) return startInUserNamespace(spec, root, program, user, env, pty, namespaces, name, gateDir);
        java.util.concurrent.CountDownLatch decided = new java.util.concurrent.CountDownLatch(1);
        int[] gatedTid = new int[1];
        boolean[] inCgroup = new boolean[1];
        int pid;
        try {
            java.util.concurrent.CompletableFuture<Integer> spawned = ThrowawayThread.start(name, () -> {
                int rootFd = -1, gateDirFd = -1;
                try (Spawn spawn = new Spawn(program, spec.args(), env).setsid()) {
                    rootFd = Sys.open(root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                    if (pty != null) {
                        spawn.open(0, pty.slaveInContainer(), O_RDWR, 0).dup2(0, 1).dup2(0, 2);
                    } else {
                        spawn.dup2(spec.stdio().in(), 0).dup2(spec.stdio().out(), 1).dup2(spec.stdio().err(), 2);
                    }
                    boolean joined = spec.cgroup() == null || spec.cgroup().joinThread(Sys.gettid());
                    inCgroup[0] = joined;
                    if (!joined || spec.limits() != null) {
                        gateDirFd = Gate.create(gateDir);
                        spawn.fchdir(gateDirFd).closeFrom(3).open(3, Gate.NAME, Gate.CHILD_FLAGS, 0);
                        gatedTid[0] = Sys.gettid();
                    } else {
                        spawn.closeFrom(3);
                    }
                    decided.countDown();
                    spawn.chdir(spec.workingDir().isEmpty() ? "/" : spec.workingDir());
                    int lastCap = Hardening.lastCap();
                    Sys.unshare(CLONE_FS);
                    Namespaces.enterPid(namespaces, Namespaces.enter(namespaces));
                    Sys.fchdir(rootFd);
                    Sys.chroot(".");
                    spec.credentials().apply(user, lastCap);
                    return spawn.spawn();
                } finally {
                    decided.countDown();
                    if (rootFd >= 0) Sys.close(rootFd);
                    if (gateDirFd >= 0) Sys.close(gateDirFd);
                }
            });
            awaitQuietly(decided);
            if (gatedTid[0] > 0) {
                Gate.admit(gateDir, () -> gatedTid[0], java.util.Set.of(), spawned::isDone, child -> {
                    if (!inCgroup[0]) spec.cgroup().addProcess(child);
                    if (spec.limits() != null) spec.limits().accept(child);
                });
            }
            pid = ThrowawayThread.await(name, spawned);
        } catch (RuntimeException e) {
            if (pty != null) Sys.close(pty.master());
            if (e instanceof SyscallException se && se.call().equals("posix_spawn")) {
                int errno = se.errno();
                throw new NotRunnableException(errno == Errnos.ENOENT ? 127 : 126, "exec " + spec.args().get(0) + " failed: "
                        + SyscallException.errnoName(errno) + " (" + SyscallException.errnoText(errno) + ")");
            }
            throw e;
        } finally {
            Gate.remove(gateDir);
        }
        return new Started(pid, pty == null ? -1 : pty.master());
    }

    /** Whether the container has a user namespace of its own (a bundle's): then the exec joins it too, last. */
    private static boolean ownUserNamespace(int pid) {
        try {
            return !java.nio.file.Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/user"))
                    .equals(java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the user namespace of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /**
     * An exec into a container with its own user namespace, as its first process started: this thread joins
     * the other namespaces and the root, the new process execs jbox-ns enter by a descriptor, which joins the
     * user namespace, waits at the gate (while it is moved into the cgroup and gets the limits), then takes
     * the credentials and the seccomp filter inside and execs the program. Root inside is never the host's.
     */
    private static Started startInUserNamespace(Spec spec, Path root, String program, User user, List<String> env, Pty pty,
                                                Namespaces.Plan namespaces, String name, Path gateDir) {
        int pid;
        try {
            pid = ThrowawayThread.await(name, ThrowawayThread.start(name, () -> {
                int rootFd = -1, gateDirFd = -1, nsFd = -1;
                UserNamespace.Staging staging = null;
                try {
                    rootFd = Sys.open(root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                    nsFd = Sys.open("/proc/" + spec.containerPid() + "/ns/user", O_RDONLY | O_CLOEXEC, 0);
                    gateDirFd = Gate.create(gateDir);
                    staging = new UserNamespace.Staging(nsFd, spec.credentials().seccomp(), gateDirFd, 3, pty == null ? null : pty.slaveInContainer(),
                            spec.workingDir().isEmpty() ? "/" : spec.workingDir());
                    try (jbox.sys.Spawn spawn = staging.spawn(spec.credentials(), user, program, spec.args(), env).setsid()) {
                        if (pty != null) {
                            spawn.open(0, "/dev/null", O_RDWR, 0).dup2(0, 1).dup2(0, 2); // jbox-ns opens the terminal after the gate
                        } else {
                            spawn.dup2(spec.stdio().in(), 0).dup2(spec.stdio().out(), 1).dup2(spec.stdio().err(), 2);
                        }
                        staging.placeDescriptors(spawn);
                        Sys.unshare(CLONE_FS);
                        Namespaces.enterPid(namespaces, Namespaces.enter(namespaces));
                        Sys.fchdir(rootFd);
                        Sys.chroot(".");
                        return spawn.spawn(); // returns as jbox-ns begins: it waits at the gate
                    }
                } finally {
                    if (staging != null) staging.close();
                    if (rootFd >= 0) Sys.close(rootFd);
                    if (nsFd >= 0) Sys.close(nsFd);
                    if (gateDirFd >= 0) Sys.close(gateDirFd);
                }
            }));
            Gate.admit(gateDir, pid, child -> {
                if (spec.cgroup() != null) spec.cgroup().addProcess(child);
                if (spec.limits() != null) spec.limits().accept(child);
            });
        } catch (RuntimeException e) {
            if (pty != null) Sys.close(pty.master());
            throw e;
        } finally {
            Gate.remove(gateDir);
        }
        return new Started(pid, pty == null ? -1 : pty.master());
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting an exec", e);
        }
    }
}
