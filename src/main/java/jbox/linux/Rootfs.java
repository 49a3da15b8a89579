package jbox.linux;


import jbox.sys.OverlayXattrs;
import jbox.sys.Places;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

import static jbox.sys.Linux.*;

/**
 * Builds the container's root filesystem inside the starting thread's private mount namespace:
 * an overlay of the image's layers with a private upper dir, then /dev, /sys and friends.
 * Nothing here is visible in the host's mount table: it dies with the namespace.
 * Runs on the namespace thread, before pivot_root, while host paths are still reachable.
 */
public final class Rootfs {
    private Rootfs() {}

    /** The image's layers (topmost first) as read-only lower dirs, with a private upper dir for changes. */
    public static void mountOverlay(java.util.List<Path> lowerDirs, Path upper, Path work, Path target) throws IOException {
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        StringJoiner lower = new StringJoiner(":");
        for (Path p : lowerDirs) lower.add(p.toString());
        Sys.mount("overlay", target.toString(), "overlay", 0, "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work + OverlayXattrs.mountOption());
    }

    /** A minimal /dev on tmpfs: the devices Docker gives every container, a private devpts, shm and mqueue. */
    public static void mountDev(Path root) throws IOException { mountDev(root, 64L << 20, null); }

    /**
     * The same with /dev/shm as --shm-size and --ipc ask: a tmpfs of shmBytes when shmFrom is null,
     * none when it is "none", else a bind of that directory (the host's, or another container's).
     */
    public static void mountDev(Path root, long shmBytes, String shmFrom) throws IOException {
        String dev = SecurePath.mkdirs(root, "/dev").toString();
        Sys.mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
        makeDefaultDevices(dev);
        Files.createDirectory(Path.of(dev, "pts"));
        // gid 5 (tty) owns the terminals, where the user namespace has it: a single-id map (no /etc/subgid range) has not.
        Sys.mount("devpts", dev + "/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620" + (Places.hasGid(5) ? ",gid=5" : ""));
        Files.createSymbolicLink(Path.of(dev, "ptmx"), Path.of("pts/ptmx"));
        if (!"none".equals(shmFrom)) {
            Files.createDirectory(Path.of(dev, "shm"));
            if (shmFrom == null) Sys.mount("shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=" + (shmBytes / 1024) + "k");
            else Sys.mount(shmFrom, dev + "/shm", null, MS_BIND, null);
        }
        Files.createDirectory(Path.of(dev, "mqueue"));
        mountOrBind("mqueue", dev + "/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, "/dev/mqueue", true);
        linkProcFds(dev);
    }

    /**
     * The character devices every container gets (docker's and runc's defaults), in a /dev tmpfs.
     * Without root the kernel lets no one make device nodes: the host's own are bound there instead,
     * as rootless runc and podman do.
     */
    public static void makeDefaultDevices(String dev) throws IOException {
        String[][] devices = {{"null", "1", "3"}, {"zero", "1", "5"}, {"full", "1", "7"},
                {"random", "1", "8"}, {"urandom", "1", "9"}, {"tty", "5", "0"}};
        for (String[] d : devices) {
            String path = dev + "/" + d[0];
            if (Places.rootless()) {
                bindHostDevice("/dev/" + d[0], path);
                continue;
            }
            Sys.mknod(path, S_IFCHR | 0666, makedev(Integer.parseInt(d[1]), Integer.parseInt(d[2])));
            Sys.chmod(path, 0666); // mknod applied the umask
        }
    }

    private static void bindHostDevice(String host, String path) throws IOException {
        Files.createFile(Path.of(path));
        Sys.mount(host, path, null, MS_BIND, null);
    }

    /** One more node in the container's /dev (resolved inside root), replacing what the image has there. */
    public static void makeDevice(Path root, DeviceNode d) throws IOException {
        Path p = SecurePath.resolve(root, d.path());
        Files.createDirectories(p.getParent());
        Files.deleteIfExists(p);
        int type = switch (d.type()) {
            case "b" -> S_IFBLK;
            case "p" -> S_IFIFO;
            default -> S_IFCHR;
        };
        if (Places.rootless() && !d.type().equals("p")) {
            // The host's node with these numbers (udev names each in /dev/char and /dev/block).
            Path host = Path.of("/dev", d.type().equals("b") ? "block" : "char", d.major() + ":" + d.minor());
            if (!Files.exists(host)) {
                throw new IOException("cannot give the container " + d.path() + ": without root jbox can only pass a host device through, and "
                        + host + " does not exist");
            }
            bindHostDevice(host.toRealPath().toString(), p.toString());
            return;
        }
        Sys.mknod(p.toString(), type | (d.fileMode() & 07777), makedev((int) d.major(), (int) d.minor()));
        Sys.chmod(p.toString(), d.fileMode() & 07777);
        Sys.lchown(p.toString(), d.uid(), d.gid());
    }

    /** /dev/fd, stdin, stdout, stderr and core, which point into /proc. */
    public static void linkProcFds(String dev) throws IOException {
        Files.createSymbolicLink(Path.of(dev, "fd"), Path.of("/proc/self/fd"));
        Files.createSymbolicLink(Path.of(dev, "stdin"), Path.of("/proc/self/fd/0"));
        Files.createSymbolicLink(Path.of(dev, "stdout"), Path.of("/proc/self/fd/1"));
        Files.createSymbolicLink(Path.of(dev, "stderr"), Path.of("/proc/self/fd/2"));
        Files.createSymbolicLink(Path.of(dev, "core"), Path.of("/proc/kcore"));
    }

    /** sysfs read-only; mounted from inside the new network namespace it lists only that namespace's devices. */
    public static void mountSys(Path root) throws IOException { mountSys(root, false); }

    /** sysfs, writable only for a privileged container (as Docker mounts it). */
    public static void mountSys(Path root, boolean writable) throws IOException {
        String sys = SecurePath.mkdirs(root, "/sys").toString();
        mountOrBind("sysfs", sys, "sysfs", (writable ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, "/sys", !writable);
    }

    /**
     * A new mqueue, sysfs or proc needs its IPC, network or pid namespace to belong to jbox's user
     * namespace. Without root, a sandbox that still shares the host's gets the host's mount bound
     * instead, as rootless runc does (nothing, if the host has none); as root the kernel's refusal stands.
     */
    static void mountOrBind(String source, String target, String type, long flags, String hostMount, boolean readOnly) {
        try {
            Sys.mount(source, target, type, flags, null);
        } catch (jbox.sys.SyscallException e) {
            if (!Places.rootless() || e.errno() != jbox.sys.Errnos.EPERM) throw e;
            if (!Files.isDirectory(Path.of(hostMount))) return; // the host has none to share (no /dev/mqueue): the directory stays empty
            Sys.mount(hostMount, target, null, MS_BIND | MS_REC, null);
            if (readOnly) Sys.mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
    }

    /** Binds the pty's other end over /dev/console, as runc does, so programs that open the console reach the terminal. */
    public static void bindConsole(Path root, String slavePath) throws IOException {
        Path console = root.resolve("dev/console");
        Files.createFile(console);
        Sys.mount(slavePath, console.toString(), null, MS_BIND, null);
    }

    /**
     * Makes the rootfs the thread's "/" with pivot_root, not chroot: the old root is stacked under
     * the new one by pivot_root(".", ".") and then lazily detached, so nothing of the host stays
     * reachable. Every process of this mount namespace whose root was the old root moves too.
     */
    public static void pivot(Path root) {
        Sys.chdir(root.toString());
        Sys.pivotRoot(".", ".");
        Sys.umount2(".", MNT_DETACH);
        Sys.chdir("/");
    }
}
