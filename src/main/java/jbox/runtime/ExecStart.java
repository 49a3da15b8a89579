package jbox.runtime;

import jbox.linux.NotRunnableException;

import jbox.linux.User;

import jbox.linux.Executable;

import jbox.linux.Credentials;

import jbox.linux.Pty;

import jbox.linux.Hardening;

import jbox.cgroup.Cgroup;
import jbox.sys.Errnos;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static jbox.sys.Linux.*;

/**
 * docker exec: one more process inside a running container. A fresh thread joins the namespaces
 * of the container's first process one by one (setns; mnt after unshare(CLONE_FS), as the facts
 * note measured), takes its root, drops to the container's capabilities and user, and spawns.
 * The new process is a child of this JVM, so the caller waits for it.
 *
 * <p>Namespaces are joined in the order runc's nsenter uses; pid last but one, because it only
 * decides where children go, and mnt last, because after it host paths no longer resolve.
 */
public final class ExecStart {
    private static final String[] NAMESPACES = {"ipc", "uts", "net", "cgroup", "pid", "mnt"};
    private static final int[] TYPES = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWPID, CLONE_NEWNS};

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
        int[] result = {0, 0}; // pid, errno
        Throwable[] failure = new Throwable[1];
        boolean[] joined = new boolean[1];
        Thread x = new Thread(() -> {
            int[] nsFds = new int[NAMESPACES.length];
            int rootFd = -1;
            try (Spawn spawn = new Spawn(program, spec.args(), env).setsid()) {
                for (int i = 0; i < NAMESPACES.length; i++) {
                    nsFds[i] = Sys.open("/proc/" + spec.containerPid() + "/ns/" + NAMESPACES[i], O_RDONLY | O_CLOEXEC, 0);
                }
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
                for (int i = 0; i < NAMESPACES.length; i++) {
                    Sys.setns(nsFds[i], TYPES[i], "the " + NAMESPACES[i] + " namespace of container " + spec.id().substring(0, Math.min(12, spec.id().length())));
                }
                Sys.fchdir(rootFd);
                Sys.chroot(".");
                spec.credentials().apply(user, lastCap);
                try {
                    result[0] = spawn.spawn();
                } catch (SyscallException e) {
                    result[1] = e.errno();
                }
            } catch (Throwable e) {
                failure[0] = e;
            } finally {
                for (int fd : nsFds) if (fd > 0) Sys.close(fd);
                if (rootFd >= 0) Sys.close(rootFd);
            }
        }, "jbox-exec-" + spec.id().substring(0, Math.min(12, spec.id().length())));
        x.setDaemon(true);
        x.start();
        try {
            x.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null || result[1] != 0 || result[0] == 0) {
            if (pty != null) Sys.close(pty.master());
            if (failure[0] instanceof RuntimeException r) throw r;
            if (failure[0] != null) throw new IllegalStateException(failure[0].getMessage(), failure[0]);
            int errno = result[1];
            throw new NotRunnableException(errno == Errnos.ENOENT ? 127 : 126, "exec " + spec.args().get(0) + " failed: "
                    + (errno == 0 ? "it did not start within 30 s" : SyscallException.errnoName(errno) + " (" + SyscallException.errnoText(errno) + ")"));
        }
        // v2 cannot move one thread; the new process is moved right after it starts.
        if (!joined[0] && spec.cgroup() != null) spec.cgroup().addProcess(result[0]);
        return new Started(result[0], pty == null ? -1 : pty.master());
    }

}
