package jbox.engine;

import jbox.cgroup.CgroupException;
import jbox.image.CorruptBlobException;
import jbox.image.HostileLayerException;
import jbox.image.ImageNotFoundException;
import jbox.runtime.NoSuchContainerException;
import jbox.runtime.NotRunnableException;
import jbox.sys.Errnos;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns what went wrong deep down into what a learner needs: what failed, the likely cause
 * for this step, and what to do. The advice is keyed by the system call and errno.
 */
public final class Errors {
    private Errors() {}

    public static EngineException explain(Throwable t, String context) {
        if (t instanceof EngineException e) return e;
        if (t instanceof java.io.UncheckedIOException u) t = u.getCause();
        Throwable root = t;
        while (!(root instanceof SyscallException) && root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof SyscallException s) return syscall(s, context);
        if (t instanceof NotRunnableException n) {
            int code = n.exitCode();
            return new EngineException(code, t.getMessage(), code == 127 ? "the command does not exist in the image" : "the file cannot be executed",
                    "check the command: jbox run IMAGE ls /bin lists what the image has", t);
        }
        if (t instanceof HostileLayerException || t instanceof CorruptBlobException) {
            return new EngineException(125, context + ": " + t.getMessage(), "the image data is damaged or was crafted to attack", "remove it (jbox rmi) and get it from a trusted source", t);
        }
        if (t instanceof ImageNotFoundException || t instanceof NoSuchContainerException) {
            return new EngineException(125, t.getMessage(), "nothing has that name or id", "list what exists with jbox images / jbox ps -a", t).httpStatus(404);
        }
        if (t instanceof IllegalArgumentException && String.valueOf(t.getMessage()).startsWith("unable to find ")) {
            return new EngineException(125, context + ": " + t.getMessage(), "the user or group is not in the image's /etc/passwd or /etc/group",
                    "use numbers (-u 1000:1000), or create the user in the image (RUN adduser -D NAME)", t);
        }
        if (t instanceof CgroupException) {
            return new EngineException(125, context + ": " + t.getMessage(), "the cgroup filesystem refused the change", "check that /sys/fs/cgroup is mounted writable and jbox runs as root", t);
        }
        if (t instanceof AccessDeniedException) {
            return new EngineException(125, context + ": permission denied on " + t.getMessage(), "jbox's files belong to root", "run jbox with sudo", t);
        }
        if (t instanceof NoSuchFileException) {
            return new EngineException(125, context + ": " + t.getMessage() + " does not exist", "a file jbox expected is missing", "check the path, or pull the image again", t);
        }
        if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No space left on device")) {
            return new EngineException(125, context + ": the disk is full (No space left on device)", "the filesystem holding the jbox root ("
                    + System.getenv().getOrDefault("JBOX_ROOT", "/var/lib/jbox") + ") has no room left; nothing half-written was kept",
                    "free some space (jbox rmi, jbox rm), or use a root on a bigger disk with JBOX_ROOT", t);
        }
        String message = String.valueOf(t.getMessage());
        if (t instanceof IOException && message.contains("File name too long")) {
            return new EngineException(125, context + ": a name is too long for the filesystem", "file names are at most 255 bytes",
                    "use a shorter name", t).httpStatus(400);
        }
        if (t instanceof java.io.EOFException || message.contains("Truncated TAR archive") || message.contains("Unexpected end of ZLIB input stream")) {
            return new EngineException(125, context + ": the archive ends early (" + message + ")", "it was cut off while it was written or sent",
                    "make or download it again", t).httpStatus(400);
        }
        if (t instanceof IOException) {
            return new EngineException(125, context + ": " + message, "a file operation failed: " + t.getClass().getSimpleName(),
                    "read the message above; JBOX_DEBUG=1 shows where it failed", t);
        }
        return new EngineException(125, context + ": " + t.getMessage(), "an internal step failed", "run again with JBOX_DEBUG=1 for the full trace, and report it", t);
    }

    private static EngineException syscall(SyscallException s, String context) {
        String what = context + ": " + s.getMessage();
        String call = s.call();
        int e = s.errno();
        if (e == Errnos.EPERM || e == Errnos.EACCES && (call.equals("mount") || call.equals("unshare"))) {
            if (!jbox.sys.Sys.isRoot()) {
                return new EngineException(125, what, "creating namespaces, mounts and cgroups needs root (CAP_SYS_ADMIN), and jbox runs as an ordinary user",
                        "run it with sudo: sudo ./jbox ...", s);
            }
            return new EngineException(125, what, "the kernel refused although jbox is root: it may itself run in a container or under a security policy (seccomp, AppArmor) that forbids " + call,
                    "run jbox on a host or VM where root may create namespaces", s);
        }
        if (call.equals("mount") && s.args().contains("\"overlay\"")) {
            if (e == Errnos.ENODEV) {
                return new EngineException(125, what, "this kernel has no overlay filesystem", "load it: sudo modprobe overlay", s);
            }
            if (e == Errnos.EINVAL) {
                return new EngineException(125, what, "overlayfs refused the layer or upper directories; the jbox root may be on a filesystem that cannot hold an overlay upper dir (such as overlayfs itself, tmpfs on old kernels, or NFS)",
                        "point jbox at a directory on ext4, xfs or btrfs with JBOX_ROOT=/path", s);
            }
        }
        if (call.equals("unshare") && e == Errnos.EINVAL) {
            return new EngineException(125, what, "the kernel does not support one of these namespaces (or a multithreaded process asked for a user namespace)",
                    "use a kernel built with namespace support (CONFIG_*_NS)", s);
        }
        if (e == Errnos.ENOSYS) {
            return new EngineException(125, what, "this kernel lacks the " + call + " system call", "use a newer kernel", s);
        }
        if (e == Errnos.ENOSPC) {
            return new EngineException(125, what, "the disk (or the inode table) is full", "free space under the jbox root", s);
        }
        if (call.equals("mknod") && (e == Errnos.EPERM || e == Errnos.EACCES)) {
            return new EngineException(125, what, "creating a device node needs CAP_MKNOD, and a devices cgroup (or security policy) that allows that device",
                    "drop the device, or run where root may create device nodes", s);
        }
        return new EngineException(125, what, call + " returned " + s.errnoName() + ": " + SyscallException.errnoText(e).toLowerCase(),
                "see man 2 " + call + " for when it returns " + s.errnoName(), s);
    }
}
