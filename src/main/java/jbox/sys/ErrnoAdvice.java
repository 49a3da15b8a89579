package jbox.sys;

/**
 * What a failed system call means for the person running jbox: the likely cause of this errno from
 * this call, and what to do. The same call and errno read differently by context (EPERM from mount as
 * an ordinary user, EINVAL from mounting overlay, ENOSPC anywhere).
 */
public final class ErrnoAdvice {
    private ErrnoAdvice() {}

    public static Failure explain(SyscallException s, String context) {
        String what = context + ": " + s.getMessage();
        String call = s.call();
        int e = s.errno();
        if (e == Errnos.EPERM || e == Errnos.EACCES && (call.equals("mount") || call.equals("unshare"))) {
            if (!Sys.isRoot()) {
                return new Failure(125, what, "creating namespaces, mounts and cgroups needs root (CAP_SYS_ADMIN), and jbox runs as an ordinary user",
                        "start it through ./jbox, which runs it in a user namespace of its own, or with sudo", s);
            }
            if (Places.rootless()) {
                String why = call.equals("mount") && s.args().contains("\"overlay\"")
                        ? "jbox runs without root, and this kernel does not let a user namespace mount overlayfs (Linux 5.11 or later does)"
                        : "jbox runs without root, in a user namespace of its own, and the kernel keeps " + call + " here for real root"
                          + " (or for namespaces and devices jbox's user namespace owns)";
                return new Failure(125, what, why, "run jbox as root for this (README, \"Without root\", lists what works without it)", s);
            }
            return new Failure(125, what, "the kernel refused although jbox is root: it may itself run in a container or under a security policy (seccomp, AppArmor) that forbids " + call,
                    "run jbox on a host or VM where root may create namespaces", s);
        }
        if (call.equals("mount") && s.args().contains("\"overlay\"")) {
            if (e == Errnos.ENODEV) {
                return new Failure(125, what, "this kernel has no overlay filesystem", "load it: sudo modprobe overlay", s);
            }
            if (e == Errnos.EINVAL) {
                return new Failure(125, what, "overlayfs refused the layer or upper directories; the jbox root may be on a filesystem that cannot hold an overlay upper dir (such as overlayfs itself, tmpfs on old kernels, or NFS)",
                        "point jbox at a directory on ext4, xfs or btrfs with JBOX_ROOT=/path", s);
            }
        }
        if (call.equals("unshare") && e == Errnos.EINVAL) {
            return new Failure(125, what, "the kernel does not support one of these namespaces (or a multithreaded process asked for a user namespace)",
                    "use a kernel built with namespace support (CONFIG_*_NS)", s);
        }
        if (e == Errnos.ENOSYS) {
            return new Failure(125, what, "this kernel lacks the " + call + " system call", "use a newer kernel", s);
        }
        if (e == Errnos.ENOSPC) {
            return new Failure(125, what, "the disk (or the inode table) is full", "free space under the jbox root", s);
        }
        if (call.equals("mknod") && (e == Errnos.EPERM || e == Errnos.EACCES)) {
            return new Failure(125, what, "creating a device node needs CAP_MKNOD, and a devices cgroup (or security policy) that allows that device",
                    "drop the device, or run where root may create device nodes", s);
        }
        return new Failure(125, what, call + " returned " + s.errnoName() + ": " + SyscallException.errnoText(e).toLowerCase(),
                "see man 2 " + call + " for when it returns " + s.errnoName(), s);
    }
}
