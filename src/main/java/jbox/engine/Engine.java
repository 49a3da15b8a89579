package jbox.engine;


import jbox.sys.Failure;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Cgroups;
import jbox.cgroup.Resources;
import jbox.image.Bundled;
import jbox.image.ImageStore;
import jbox.runtime.ContainerState;
import jbox.runtime.StateStore;
import jbox.sys.Places;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine: the one place the front ends (the daemon's routes, the shell, the builder) go to
 * for images and containers. It holds the stores under the jbox root and hands out its parts:
 * {@link ImageService}, {@link Lifecycle}, {@link TaskControl}, {@link Housekeeping},
 * {@link HealthRecords}, {@link VolumeService}. State lives on disk, so separate jbox processes see
 * the same containers; the process that starts a container is its parent and records its exit.
 */
public final class Engine {
    public static final String DEFAULT_PATH = "PATH=" + jbox.linux.Executable.DEFAULT_PATH;

    private final Path root;

    private final Path home;

    private final ImageStore images;

    private final StateStore containers;

    private final Bundled bundled;

    private final Volumes volumes;

    private final Networks networks;

    private final NetworkAttachments networkAttachments;
    private final Events events;
    private final ContainerFiles files;

    private final ConfinementRules confinement = new ConfinementRules();

    private Cgroups cgroups;
    private final ImageService imageService;
    private final Lifecycle lifecycle;
    private final TaskControl tasks;
    private final Housekeeping housekeeping;
    private final HealthRecords health;
    private final VolumeService volumeService;
    private final Removals removals = new Removals();

    public Engine(Path root, Path home) throws IOException {
        this.root = root;
        this.home = home;
        protect(root);
        this.events = new Events(root);
        this.images = new ImageStore(root);
        this.containers = new StateStore(root);
        containers.keepReserve();
        this.bundled = new Bundled(home);
        this.volumes = new Volumes(root);
        this.networks = new Networks(root, events);
        this.imageService = new ImageService(this);
        this.lifecycle = new Lifecycle(this);
        this.networkAttachments = new NetworkAttachments(this);
        this.files = new ContainerFiles(this);
        this.tasks = new TaskControl(this);
        this.housekeeping = new Housekeeping(this);
        this.health = new HealthRecords(this);
        this.volumeService = new VolumeService(this);
    }

    /**
     * The root and what holds container content are root's alone (0700), as Docker keeps its data
     * root (CVE-2021-41091): a container's root can write a setuid-root file into its upper dir or a
     * volume, and a host user who could reach that path could run it as root. Roots made by older
     * jbox versions (0755) are closed here too.
     */
    private static void protect(Path root) throws IOException {
        Files.createDirectories(root);
        Sys.chmod(root.toString(), 0700);
        for (String dir : List.of("containers", "volumes", "layers", "sandboxes", "build")) {
            Path d = root.resolve(dir);
            Files.createDirectories(d);
            Sys.chmod(d.toString(), 0700);
        }
        Files.createDirectories(root.resolve(MOUNT_POINT));
    }

    private static final String MOUNT_POINT = "rootfs";

    /**
     * Where every container's and sandbox's root filesystem is mounted, each in its own mount namespace
     * before pivot_root: the host sees an empty directory, and a container needs none of its own (an inode
     * and 4 KB of disk each).
     */
    public Path mountPoint() { return root.resolve(MOUNT_POINT); }

    /** The engine on the default root: -Djbox.root, $JBOX_ROOT, or /var/lib/jbox (rootless: ~/.local/share/jbox). */
    public static Engine open() {
        Path root = Path.of(setting("jbox.root", "JBOX_ROOT", Places.dataRoot().toString()));
        Path home = Path.of(setting("jbox.home", "JBOX_HOME", "."));
        try {
            return new Engine(root, home.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot open the jbox root " + root);
        }
    }

    static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isEmpty()) v = System.getenv(env);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public Path root() { return root; }

    public Path home() { return home; }

    public ImageStore images() { return images; }

    public StateStore containers() { return containers; }

    public Bundled bundled() { return bundled; }

    public Volumes volumes() { return volumes; }

    public Networks networks() { return networks; }

    public NetworkAttachments networkAttachments() { return networkAttachments; }

    public Events events() { return events; }

    public ContainerFiles files() { return files; }
    ConfinementRules confinement() { return confinement; }
    public ImageService imageService() { return imageService; }
    public Lifecycle lifecycle() { return lifecycle; }
    public TaskControl tasks() { return tasks; }
    public Housekeeping housekeeping() { return housekeeping; }
    Removals removals() { return removals; }
    public HealthRecords health() { return health; }
    public VolumeService volumeService() { return volumeService; }

    synchronized Cgroups cgroups() throws IOException {
        if (cgroups == null) cgroups = Cgroups.detect();
        return cgroups;
    }

    /** The container's cgroup if it exists (under its --cgroup-parent, if it has one). */
    Cgroup cgroupOf(ContainerState s) throws IOException { return cgroups().existing(s.id(), s.confined().cgroupParent()); }

    /** What a process confined this way becomes when spawned: the shell's harden step uses the same as jbox run. */
    public jbox.linux.Credentials credentialsFor(jbox.runtime.Confinement c) { return confinement.credentials(c); }

    /** Docker's rules for limits, the same whichever client asks. */
    static Resources checked(Resources r) {
        try {
            return r.check();
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "the limit is outside what Docker and the kernel accept", "change the value").httpStatus(400);
        }
    }

    /** Which hierarchy holds each controller on this host. */
    public Cgroups cgroupLayout() {
        try {
            return cgroups();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the cgroup layout");
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
