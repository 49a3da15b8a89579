package jbox.runtime;

import jbox.linux.CgroupMount;
import jbox.linux.DeviceNode;
import jbox.linux.Hardening;
import jbox.linux.MountPlan;
import jbox.linux.Rootfs;
import jbox.linux.SecurePath;
import jbox.linux.ThrowawayThread;
import jbox.linux.Sysctls;
import jbox.linux.User;
import jbox.linux.UserMounts;
import jbox.net.ContainerNetwork;
import jbox.net.Networking;
import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static jbox.sys.Linux.*;

/**
 * A container started from an image, as jbox run and the daemon start one: an overlay of the
 * image's layers, Docker's /dev and /sys, the user's volumes, and the {@link Confinement} the
 * flags or HostConfig asked for. The shell's sandbox takes the same steps with the defaults.
 */
public final class ImagePlan implements StartPlan {
    private final Path stateDir;
    private final Path rootfs;
    private final List<Path> lowerDirs;
    private final String hostname;
    private final String user;
    private final List<MountPlan> mounts;
    private final boolean readOnlyRootfs;
    private final Confinement confinement;
    private final List<DeviceNode> devices;
    private final Namespaces.Plan namespaces;
    private final int ipcWith;
    private final Networking.Endpoint endpoint;
    private final String cgroupPath;
    private final boolean ownCgroupNamespace;
    private int shmFd = -1;

    /**
     * @param lowerDirs   unpacked image layers, topmost first (overlayfs lowerdir order)
     * @param stateDir    the container's directory on the host: upper and work live here
     * @param rootfs      where its root is mounted, in its own mount namespace only (the host sees it empty),
     *                    so one directory serves every container: {@code Engine.mountPoint()}
     * @param mounts      its volumes, binds and tmpfs
     * @param hostNetwork --network host: no network namespace of its own
     * @param devices     the device nodes to make, with the host's numbers
     * @param ipcWith     the running container's pid whose ipc namespace and /dev/shm it shares (--ipc container:X), or 0
     * @param pidWith     the running container's pid whose pid namespace it joins (--pid container:X), or 0
     * @param endpoint    its network attachment, or null
     * @param cgroupPath  its cgroup (/jbox/ID), shown at /sys/fs/cgroup inside; null on a host without cgroups
     */
    public ImagePlan(List<Path> lowerDirs, Path stateDir, Path rootfs, String hostname, String user, List<MountPlan> mounts, boolean readOnlyRootfs,
                     boolean hostNetwork, Confinement confinement, List<DeviceNode> devices, int ipcWith, int pidWith, Networking.Endpoint endpoint,
                     String cgroupPath) {
        this(lowerDirs, stateDir, rootfs, hostname, user, mounts, readOnlyRootfs, hostNetwork, confinement, devices, ipcWith, pidWith, endpoint, cgroupPath,
                !confinement.cgroupnsMode().equals("host"));
    }

    private ImagePlan(List<Path> lowerDirs, Path stateDir, Path rootfs, String hostname, String user, List<MountPlan> mounts, boolean readOnlyRootfs,
                      boolean hostNetwork, Confinement confinement, List<DeviceNode> devices, int ipcWith, int pidWith, Networking.Endpoint endpoint,
                      String cgroupPath, boolean ownCgroupNamespace) {
        this.lowerDirs = lowerDirs;
        this.stateDir = stateDir;
        this.rootfs = rootfs;
        this.hostname = hostname;
        this.user = user;
        this.mounts = mounts;
        this.readOnlyRootfs = readOnlyRootfs;
        this.confinement = confinement;
        this.devices = devices;
        this.ipcWith = ipcWith;
        this.endpoint = endpoint;
        this.cgroupPath = cgroupPath;
        this.ownCgroupNamespace = ownCgroupNamespace;
        this.namespaces = namespaces(confinement, hostNetwork, ipcWith, pidWith);
    }

    /**
     * The shell's sandbox: the image's root with Docker's defaults, the namespaces left to the learner's
     * steps; its cgroup (or null) shown at /sys/fs/cgroup as its own namespace's root if it entered one.
     */
    public static ImagePlan forSandbox(List<Path> lowerDirs, Path dir, Path rootfs, String cgroupPath, boolean ownCgroupNamespace) {
        return new ImagePlan(lowerDirs, dir, rootfs, null, "", List.of(), false, false, Confinement.DEFAULT, List.of(), 0, 0, null, cgroupPath, ownCgroupNamespace);
    }

    private static Namespaces.Plan namespaces(Confinement c, boolean hostNetwork, int ipcWith, int pidWith) {
        Map<Kind, String> kinds = new EnumMap<>(Kind.class);
        kinds.put(Kind.MNT, null);
        if (!c.utsMode().equals("host")) kinds.put(Kind.UTS, null);
        if (ipcWith > 0) kinds.put(Kind.IPC, "/proc/" + ipcWith + "/ns/ipc");
        else if (!c.ipcMode().equals("host")) kinds.put(Kind.IPC, null);
        if (!c.cgroupnsMode().equals("host")) kinds.put(Kind.CGROUP, null);
        if (!hostNetwork) kinds.put(Kind.NET, null);
        if (pidWith > 0) kinds.put(Kind.PID, "/proc/" + pidWith + "/ns/pid");
        else if (!c.pidMode().equals("host")) kinds.put(Kind.PID, null);
        return Namespaces.Plan.of(kinds);
    }

    public Path upperDir() { return stateDir.resolve("upper"); }

    public Path workDir() { return stateDir.resolve("work"); }

    @Override
    public Path rootfs() { return rootfs; }

    /**
     * --ipc container:X shares X's /dev/shm: a bind mount cannot cross mount namespaces, but a tree
     * cloned there (open_tree) can be attached here. A throwaway thread enters X's namespace for the clone.
     */
    @Override
    public void prepare() {
        if (ipcWith <= 0) return;
        shmFd = ThrowawayThread.call("jbox-clone-shm", () -> {
            Sys.unshare(CLONE_FS);
            Namespaces.join("/proc/" + ipcWith + "/ns/mnt", Kind.MNT);
            return Sys.openTreeClone("/dev/shm");
        });
    }

    @Override
    public Namespaces.Plan namespaces() { return namespaces; }

    @Override
    public void mountRoot() throws IOException {
        Sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
        Rootfs.mountOverlay(lowerDirs, upperDir(), workDir(), rootfs());
    }

    @Override
    public Path mountFilesystems() throws IOException {
        Path root = rootfs();
        Path proc = SecurePath.mkdirs(root, "/proc");
        Confinement c = confinement;
        Rootfs.mountDev(root, c.shmBytes(), c.ipcMode().equals("none") || shmFd >= 0 ? "none" : c.ipcMode().equals("host") ? "/dev/shm" : null);
        if (shmFd >= 0) Sys.moveMount(shmFd, SecurePath.mkdirs(root, "/dev/shm").toString()); // the other container's /dev/shm itself
        for (DeviceNode d : devices) Rootfs.makeDevice(root, d);
        Rootfs.mountSys(root, c.privileged());
        // As Docker: the container's own cgroup at /sys/fs/cgroup, read-only unless --privileged.
        if (cgroupPath != null) {
            CgroupMount.mount(SecurePath.mkdirs(root, "/sys/fs/cgroup"), MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | (c.privileged() ? 0 : MS_RDONLY),
                    cgroupPath, ownCgroupNamespace);
        }
        UserMounts.apply(root, mounts);
        return proc;
    }

    @Override
    public void nameHost() {
        if (namespaces.isNew(Kind.UTS) && hostname != null) Sys.sethostname(hostname);
    }

    @Override
    public User user(Path root) throws IOException { return User.resolve(root, user).withGroups(root, confinement.groupAdd()); }

    @Override
    public boolean readOnlyRoot() { return readOnlyRootfs; }

    /** --ulimit and --oom-score-adj, which C keeps through its exec. */
    @Override
    public void afterSpawn(int pid) { confinement.limitProcess(pid); }

    @Override
    public void beforePivot(int pid) throws IOException {
        Sysctls.write(rootfs(), pid, confinement.sysctls()); // before /proc/sys turns read-only
        Hardening.protectKernelPaths(rootfs(), confinement.masked(), confinement.readOnly());
    }

    @Override
    public void attachNetwork(int pid) {
        if (endpoint != null) ContainerNetwork.attach(endpoint, pid);
    }

    @Override
    public void release() {
        if (shmFd >= 0) Sys.close(shmFd);
        shmFd = -1;
    }
}
