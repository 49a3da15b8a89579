package jbox.cgroup;

import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.nio.file.Path;
import java.util.List;

/**
 * A cgroup namespace rooted at a container's cgroup on cgroup v2, for a JVM thread to join.
 *
 * A new cgroup namespace is rooted where its creator stands when it unshares. On v1 a jbox thread
 * joins the container's cgroups alone and unshares itself; on v2 only whole processes move, so a
 * small helper (jbox-cgroupns, src/main/c/cgroupns.c, built by scripts/setup) is moved in and
 * unshares there, and the thread joins the helper's namespace ({@link #join}).
 * Closing ends the helper; the namespace lives on in whoever joined it.
 */
public final class CgroupNamespace implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final int pid;
    private final int hold;
    private final int fd;

    private CgroupNamespace(int pid, int hold, int fd) {
        this.pid = pid;
        this.hold = hold;
        this.fd = fd;
    }

    /** Starts the helper, moves it into {@code cgroup}, and returns once its namespace exists. */
    public static CgroupNamespace rootedAt(Cgroup cgroup) {
        Path helper = helper();
        int[] toHelper = Sys.pipe();
        int[] fromHelper = Sys.pipe();
        int pid = 0;
        try {
            try (Spawn s = new Spawn(helper.toString(), List.of("jbox-cgroupns"), List.of())) {
                pid = s.dup2(toHelper[0], 0).dup2(fromHelper[1], 1).closeFrom(3).spawn();
            }
            Sys.close(toHelper[0]);
            toHelper[0] = -1;
            Sys.close(fromHelper[1]);
            fromHelper[1] = -1;
            cgroup.addProcess(pid);
            Sys.writeAll(toHelper[1], new byte[]{'1'}, 1);
            byte[] answer = new byte[1];
            if (!Sys.pollIn(fromHelper[0], TIMEOUT_MILLIS) || Sys.read(fromHelper[0], answer) != 1 || answer[0] != 'y') {
                throw new CgroupException("cannot make a cgroup namespace rooted at " + cgroup.path()
                        + ": jbox-cgroupns did not (its error is above). The container's /proc/self/cgroup would show the host's path,"
                        + " so jbox does not start it.", null);
            }
            // Opened here, in the host's view: a thread that joins it later may already see another /proc (the shell's sandbox).
            int fd = Sys.open(path(pid), jbox.sys.Linux.O_RDONLY | jbox.sys.Linux.O_CLOEXEC, 0);
            CgroupNamespace ns = new CgroupNamespace(pid, toHelper[1], fd);
            toHelper[1] = -1;
            pid = 0;
            return ns;
        } finally {
            for (int fd : new int[]{toHelper[0], toHelper[1], fromHelper[0], fromHelper[1]}) if (fd >= 0) Sys.close(fd);
            if (pid > 0) {
                Sys.signal(pid, jbox.sys.Linux.SIGKILL);
                Sys.waitpid(pid);
            }
        }
    }

    private static String path(int pid) { return "/proc/" + pid + "/ns/cgroup"; }

    /** The calling thread joins the namespace (setns), whatever its /proc shows. */
    public void join() { Sys.setns(fd, jbox.sys.Linux.CLONE_NEWCGROUP, "the cgroup namespace made in " + path(pid)); }

    /** Ends the helper (its stdin closes) and reaps it. */
    @Override
    public void close() {
        Sys.close(fd);
        Sys.close(hold);
        Sys.waitpid(pid);
    }

    static Path helper() {
        try {
            return jbox.sys.NativeHelper.find("jbox-cgroupns", "on cgroup v2 it gives each container a cgroup namespace rooted at its own cgroup");
        } catch (IllegalStateException e) {
            throw new CgroupException(e.getMessage(), null);
        }
    }
}
