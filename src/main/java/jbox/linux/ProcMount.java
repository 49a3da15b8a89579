package jbox.linux;

import jbox.sys.Errnos;
import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.sys.SyscallException;
import jbox.sys.Spawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static jbox.sys.Linux.*;

/**
 * Mounts a /proc that shows the container's pid namespace, from a thread that is not inside it.
 *
 * <p>procfs takes the pid namespace from the task that mounts it, and a JVM thread can only ever
 * live in the host's. Two ways around that:
 * <ul>
 * <li>{@code pidns}: newer kernels accept the namespace as a mount option (fsconfig "pidns" = fd).
 * <li>{@code fallback}: spawn the host's mount(8) as a process inside the container's pid
 *     namespace, before pivot_root while host binaries are still reachable.
 * </ul>
 * Which one runs is detected once per process; {@code -Djbox.proc=fallback} or
 * {@code JBOX_PROC=fallback} forces the fallback (tests run both).
 */
public final class ProcMount {
    /** How /proc was mounted: the pidns option, the fallback, or plainly for a container in the host's pid namespace (--pid host). */
    public enum Method { PIDNS, FALLBACK, HOST }

    private static volatile Boolean pidnsOptionWorks;

    private ProcMount() {}

    static Method preferred() {
        String forced = System.getProperty("jbox.proc", System.getenv("JBOX_PROC"));
        if ("fallback".equalsIgnoreCase(forced)) return Method.FALLBACK;
        return Boolean.FALSE.equals(pidnsOptionWorks) ? Method.FALLBACK : Method.PIDNS;
    }

    /** Host mount(8), resolved before the thread enters any namespace. */
    static String mountBinary() {
        for (String p : List.of("/usr/bin/mount", "/bin/mount")) if (Files.isExecutable(Path.of(p))) return p;
        return null;
    }

    /**
     * Runs on the setup thread, already inside the container's mount namespace.
     * Returns the method that worked.
     */
    public static Method mount(String target, int pidnsFd, Spawn fallback) {
        if (preferred() == Method.PIDNS) {
            try {
                mountWithPidnsOption(target, pidnsFd);
                pidnsOptionWorks = true;
                return Method.PIDNS;
            } catch (SyscallException e) {
                boolean unsupported = e.call().equals("fsconfig") && e.errno() == Errnos.EINVAL
                        || e.call().equals("fsopen") && e.errno() == Errnos.ENOSYS;
                if (!unsupported) throw e;
                pidnsOptionWorks = false;
            }
        }
        mountFromInside(pidnsFd, fallback, target);
        return Method.FALLBACK;
    }

    /** A container in the host's pid namespace (--pid host) sees the host's processes, as a plain mount from here shows them. */
    public static Method mountHost(String target) {
        Rootfs.mountOrBind("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "/proc", false);
        return Method.HOST;
    }

    /** Mounts a procfs for the pid namespace pidnsFd refers to, from any thread in the target's mount namespace. */
    public static void mountWithPidnsOption(String target, int pidnsFd) {
        int fs = Sys.fsopen("proc");
        try {
            Sys.fsconfigString(fs, "source", "proc"); // as mount -t proc proc shows it (else "none")
            Sys.fsconfigFd(fs, "pidns", pidnsFd);
            Sys.fsconfigCreate(fs);
            int mnt = Sys.fsmount(fs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
            try {
                Sys.moveMount(mnt, target);
            } finally {
                Sys.close(mnt);
            }
        } finally {
            Sys.close(fs);
        }
    }

    /** The calling thread joins the pid namespace for its children; it may not start threads afterwards. */
    private static void mountFromInside(int pidnsFd, Spawn mount, String target) {
        if (mount == null) {
            throw new IllegalStateException("this kernel's procfs has no pidns option and mount(8) was not found: "
                    + "install util-linux's mount, or use a kernel with procfs pidns support");
        }
        Sys.setns(pidnsFd, Linux.CLONE_NEWPID, "container pid namespace");
        int helper = mount.spawn();
        int status = Sys.waitpid(helper);
        if (!Linux.wifexited(status) || Linux.wexitstatus(status) != 0) {
            throw new IllegalStateException("mount -t proc proc " + target + " inside the container's pid namespace failed (wait status "
                    + status + ")");
        }
    }

    /** The host mount(8) spawn for the fallback, prepared before any namespace change. */
    public static Spawn prepareFallback(String target) {
        String bin = mountBinary();
        if (bin == null) return null;
        Spawn s = new Spawn(bin, List.of("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", target), List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        s.closeFrom(3);
        return s;
    }
}
