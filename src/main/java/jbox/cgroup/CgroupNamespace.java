package jbox.cgroup;

import jbox.sys.NamespaceHolder;
import jbox.sys.Sys;


/**
 * A cgroup namespace rooted at a container's cgroup on cgroup v2, for a JVM thread to join.
 *
 * A new cgroup namespace is rooted where its creator stands when it unshares. On v1 a jbox thread
 * joins the container's cgroups alone and unshares itself; on v2 only whole processes move, so the
 * small helper jbox-ns (src/main/c/ns.c, built by scripts/setup) is moved in and unshares there, and
 * the thread joins its namespace through a descriptor ({@link #join}).
 */
public final class CgroupNamespace implements AutoCloseable {
    private final int fd;
    private final String description;

    private CgroupNamespace(int fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    /** Has the helper make a cgroup namespace inside {@code cgroup}; returns once it exists. */
    public static CgroupNamespace rootedAt(Cgroup cgroup) {
        NamespaceHolder holder;
        try {
            holder = NamespaceHolder.start("cgroup", "on cgroup v2 it gives each container a cgroup namespace rooted at its own cgroup");
        } catch (IllegalStateException e) {
            throw new CgroupException(e.getMessage(), null);
        }
        try (holder) {
            cgroup.addProcess(holder.pid());
            if (!holder.unshare()) {
                throw new CgroupException("cannot make a cgroup namespace rooted at " + cgroup.path()
                        + ": jbox-ns did not (its error is above). The container's /proc/self/cgroup would show the host's path,"
                        + " so jbox does not start it.", null);
            }
            return new CgroupNamespace(holder.open(), "the cgroup namespace made at " + cgroup.path());
        }
    }

    /** The calling thread joins the namespace (setns), whatever its /proc shows. */
    public void join() { Sys.setns(fd, jbox.sys.Linux.CLONE_NEWCGROUP, description); }

    @Override
    public void close() { Sys.close(fd); }
}
