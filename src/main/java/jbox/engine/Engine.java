package jbox.engine;

import jbox.linux.MountPlan;

import jbox.sys.Failure;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Cgroups;
import jbox.cgroup.Resources;
import jbox.cgroup.Usage;
import jbox.image.Bundled;
import jbox.image.Image;
import jbox.image.ImageNotFoundException;
import jbox.image.ImageStore;
import jbox.image.ImageSpec;
import jbox.image.Reference;
import jbox.runtime.ContainerStart;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.runtime.Names;
import jbox.sys.Processes;
import jbox.runtime.StateStore;
import jbox.runtime.Status;
import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.io.FileLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine: the one place the CLI (and later the shell and the daemon) go to for images and
 * containers. State lives on disk under the jbox root, so separate jbox processes see the same
 * containers; the process that starts a container is its parent and records its exit.
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
    private final ConfinementRules confinement = new ConfinementRules();
    private Cgroups cgroups;

    public Engine(Path root, Path home) throws IOException {
        this.root = root;
        this.home = home;
        protect(root);
        this.images = new ImageStore(root);
        this.containers = new StateStore(root);
        containers.keepReserve();
        this.bundled = new Bundled(home);
        this.volumes = new Volumes(root);
        this.networks = new Networks(root);
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
    }

    /** The engine on the default root: -Djbox.root, $JBOX_ROOT, or /var/lib/jbox. */
    public static Engine open() {
        Path root = Path.of(setting("jbox.root", "JBOX_ROOT", "/var/lib/jbox"));
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

    synchronized Cgroups cgroups() throws IOException {
        if (cgroups == null) cgroups = Cgroups.detect();
        return cgroups;
    }

    // ---- images ----

    /**
     * Pulls an image into the store. A name the bundled images have (busybox, hello) comes from
     * them, with no network; any other name from its registry (Docker Hub for names without one).
     */
    public Image pull(String name, Consumer<String> progress) {
        return pull(name, null, e -> {
            if (!e.isBytes()) progress.accept(e.toString());
        });
    }

    public Image pull(String name, jbox.registry.RegistryAuth auth, Consumer<jbox.image.PullEvent> progress) {
        Reference ref = Reference.parse(name);
        try {
            Optional<ImageSpec.Descriptor> local = bundled.find(ref);
            if (local.isPresent()) {
                progress.accept(jbox.image.PullEvent.state(ref.tag(), "Pulling from " + ref.familiarRepository() + " (bundled with jbox)"));
                Image image = images.importFrom(bundled.layout(), local.get(), ref);
                progress.accept(jbox.image.PullEvent.line("Digest: " + image.manifestDigest()));
                progress.accept(jbox.image.PullEvent.line("Status: Downloaded newer image for " + ref.familiar()));
                return image;
            }
            return jbox.registry.Transfers.pull(images, ref, auth, progress);
        } catch (jbox.registry.RegistryException e) {
            String bundledHint = ref.isOfficialShortName() ? "; the images bundled with jbox (" + bundledNames() + ") need no network" : "";
            throw new Failure(125, "pull " + ref.familiar() + ": " + e.getMessage(), e.likelyCause() == null ? null : e.likelyCause() + bundledHint,
                    e.fix(), e).httpStatus(e.status() == 401 || e.status() == 404 ? e.status() : 500);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot pull " + name);
        }
    }

    private String bundledNames() {
        try {
            return String.join(", ", bundled.names());
        } catch (IOException e) {
            return "none built yet";
        }
    }

    /** docker push: the image named name to the registry its name says. */
    public void push(String name, jbox.registry.RegistryAuth auth, Consumer<jbox.image.PullEvent> progress) {
        Reference ref = Reference.parse(name);
        try {
            Image image = images.find(name);
            jbox.registry.Transfers.push(images, image, ref, auth, progress);
        } catch (ImageNotFoundException e) {
            throw new Failure("An image does not exist locally with the tag: " + ref.familiar(), "push sends an image of this store",
                    "tag one first: jbox tag IMAGE " + ref.familiar()).httpStatus(404);
        } catch (jbox.registry.RegistryException e) {
            throw new Failure(125, "push " + ref.familiar() + ": " + e.getMessage(), e.likelyCause(), e.fix(), e)
                    .httpStatus(e.status() == 401 || e.status() == 404 ? e.status() : 500);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot push " + name);
        }
    }

    /** docker tag: a second name for an image. */
    public void tag(String source, String target) {
        Reference to;
        try {
            to = Reference.parse(target);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "names are [REGISTRY/]REPOSITORY[:TAG]", "e.g. jbox tag busybox 127.0.0.1:5000/team/busybox:1.0").httpStatus(400);
        }
        try {
            Image image = images.find(source);
            images.tag(to, new ImageSpec.Descriptor(image.manifest().mediaType() == null ? jbox.image.MediaTypes.OCI_MANIFEST : image.manifest().mediaType(),
                    image.manifestDigest().toString(), images.layout().readBlob(image.manifestDigest()).length, null, null));
        } catch (ImageNotFoundException e) {
            throw new Failure("No such image: " + source, "no image has that name or id", "list images with: jbox images").httpStatus(404);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot tag " + source);
        }
    }

    /** The image for a new container, pulled first if missing (as docker run does). */
    public Image imageFor(String name, Consumer<String> progress) {
        try {
            return images.find(name);
        } catch (ImageNotFoundException e) {
            progress.accept("Unable to find image '" + Reference.parse(name).familiar() + "' locally");
            return pull(name, progress);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read image " + name);
        }
    }

    public List<String> removeImage(String name, boolean force) {
        try {
            Image image = images.find(name);
            for (ContainerState c : containers.all()) {
                if (c.imageId().equals(image.id().toString()) && !force) {
                    throw new Failure("conflict: unable to remove " + name + ": container " + c.shortId() + " (" + c.name()
                            + ") is using it", "a container, even a stopped one, needs its image's layers",
                            "remove the container first (jbox rm " + c.name() + "), or force with rmi -f").httpStatus(409);
                }
            }
            return images.untag(image);
        } catch (ImageNotFoundException e) {
            throw new Failure(e.getMessage(), "no image has that name or id", "list images with: jbox images").httpStatus(404);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove image " + name);
        }
    }

    // ---- containers ----

    /** Records a new container (no process yet), like docker create. */
    public ContainerState create(CreateRequest req, Consumer<String> progress) {
        checked(req.resources() == null ? Resources.NONE : req.resources());
        Image image = imageFor(req.image(), progress);
        if (req.resources() != null) Cgroups.warnings(req.resources()).forEach(progress);
        ImageSpec.ContainerConfig ic = image.containerConfig();
        List<String> entrypoint = req.entrypoint() != null
                ? (req.entrypoint().isEmpty() ? List.of() : List.of(req.entrypoint()))
                : (ic.entrypoint() == null ? List.of() : ic.entrypoint());
        List<String> cmd = !req.command().isEmpty() ? req.command()
                : req.entrypoint() != null ? List.of() : (ic.cmd() == null ? List.of() : ic.cmd());
        List<String> args = new ArrayList<>(entrypoint);
        args.addAll(cmd);
        if (args.isEmpty()) {
            throw new Failure(126, "no command specified", "the image " + req.image() + " has no Cmd or Entrypoint, and none was given",
                    "add the command after the image name, e.g. jbox run " + req.image() + " sh", null);
        }
        String id = Names.newId();
        String hostname = req.hostname() != null ? req.hostname() : req.confinement() != null && req.confinement().utsMode().equals("host")
                ? hostName() : id.substring(0, 12);
        List<String> env = Environment.merge(ic.env(), req.env(), hostname, req.tty());
        String workdir = req.workingDir() != null ? req.workingDir() : (ic.workingDir() == null || ic.workingDir().isEmpty() ? "/" : ic.workingDir());
        if (!workdir.startsWith("/")) throw new Failure("the working directory \"" + workdir + "\" is not an absolute path", "-w needs a path inside the container starting with /", "use e.g. -w /tmp");
        String user = req.user() != null ? req.user() : (ic.user() == null ? "" : ic.user());
        String imageName = req.image(); // shown as typed, as docker ps does
        if (req.autoRemove() && !jbox.runtime.Restart.orNo(req.restart()).isNo()) {
            throw new Failure("Conflicting options: --restart and --rm", "a container removed when it exits cannot be restarted",
                    "use one of them").httpStatus(400);
        }
        jbox.runtime.Confinement confined = req.confinement() == null ? jbox.runtime.Confinement.DEFAULT : req.confinement();
        if (confined.utsMode().equals("host") && req.hostname() != null) {
            throw new Failure("Conflicting options: hostname and the UTS mode", "with --uts host the container shares the host's name",
                    "drop --hostname or --uts host").httpStatus(400);
        }
        confinement.check(confined, jbox.net.Network.HOST.equals(req.network() == null ? null : req.network().mode()));
        for (String mode : List.of(confined.pidMode(), confined.ipcMode())) {
            if (mode.startsWith("container:")) sharedWith(mode, false); // it must exist now, and run when this one starts
        }
        jbox.linux.Storage storage = StorageRules.prepare(StorageRules.withImageVolumes(jbox.linux.Storage.orNone(req.storage()), ic.volumes()), volumes);
        jbox.runtime.Health health = ImageDefaults.health(req.health(), ic.healthcheck());
        jbox.net.Networking networking = req.network() == null ? jbox.net.Networking.DEFAULT : req.network();
        try {
            jbox.net.Network network = networks.get(networking.mode());
            networking = new jbox.net.Networking(network.name(), networking.ports(), null);
            jbox.net.ContainerNetwork.warnings(network, networking.ports()).forEach(progress);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the networks");
        }
        try (FileLock ignored = containers.namesLock()) {
            String name = req.name();
            java.util.function.Predicate<String> taken = n -> {
                try {
                    return containers.nameOwner(n) != null;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            if (name != null) {
                Names.validate(name);
                if (taken.test(name)) {
                    throw new Failure("Conflict. The container name \"/" + name + "\" is already in use",
                            "names are unique", "remove that container (jbox rm " + name + "), or choose another name").httpStatus(409);
                }
            } else {
                name = Names.unusedName(taken, id);
            }
            ContainerState s = new ContainerState(id, name, Instant.now().toString(), imageName, image.id().toString(), args, env, workdir,
                    user, hostname, req.tty(), req.interactive(), req.autoRemove(),
                    image.diffIds().stream().map(Object::toString).toList(), Status.CREATED, 0, 0, 0, 0, 0, null, null, null, null,
                    req.resources() == null ? Resources.NONE : req.resources(), false, false, storage, jbox.runtime.Restart.orNo(req.restart()),
                    health, networking, confined, jbox.runtime.LogConfig.orDefault(req.log()));
            containers.claimName(name, id); // first: a container never exists without its name taken
            containers.create(s);
            return s;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot create the container");
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "container names are 1 to " + Names.MAX_LENGTH + " letters, digits and _ . -, starting with a letter or digit",
                    "choose another --name").httpStatus(400);
        }
    }

    /** A container this process started and must wait for. */
    public record Owned(ContainerState state, ContainerStart.Created process) {
        public int ptyMaster() { return process.ptyMaster(); }
    }

    /**
     * Starts a created or exited container with this process as its parent. stdio is used when
     * the container has no tty.
     */
    public Owned start(String nameOrId, LaunchSpec.Stdio stdio) { return start(nameOrId, stdio, true); }

    /**
     * byUser false: the daemon restarting it by its restart policy, which counts the restart, and
     * gives up (NotRestartedException) when a user stopped it meanwhile: both decided under its lock.
     */
    public Owned start(String nameOrId, LaunchSpec.Stdio stdio, boolean byUser) {
        ContainerState s;
        try {
            s = containers.find(nameOrId);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read container " + nameOrId);
        }
        try (FileLock ignored = containers.lock(s.id())) {
            s = refresh(containers.load(s.id()));
            if (s == null) throw new jbox.runtime.NoSuchContainerException(nameOrId); // --rm and ended meanwhile
            if (!byUser) {
                if (s.restarts().stoppedByUser() || s.status() == Status.RUNNING) throw new NotRestartedException();
                s = s.withRestart(s.restarts().counted());
            } else if (s.restarts().stoppedByUser()) {
                s = s.withRestart(s.restarts().stopped(false)); // started again by a user: the policy applies again
            }
            if (!s.status().canStart()) {
                throw new Failure("container " + s.name() + " is already running", "a container has one first process at a time",
                        "stop it first (jbox stop " + s.name() + ")").httpStatus(409);
            }
            Image image = images.find(s.imageId());
            List<Path> lower = images.layerDirs(image);
            Cgroup cgroup = cgroupWithLimits(s);
            List<MountPlan> mounts = new ArrayList<>(StorageRules.plan(s.mounts(), volumes));
            jbox.net.ContainerNetwork.Prepared net;
            try {
                net = jbox.net.ContainerNetwork.prepare(networks.get(s.networking().mode()), root.toString(), s.id(), s.name(), s.hostname(),
                        s.networking().ports(), containers.dirOf(s.id()), mounts.stream().map(m -> m.mount().target()).collect(java.util.stream.Collectors.toSet()));
            } catch (RuntimeException | IOException e) {
                if (cgroup != null) cgroup.destroy();
                throw e;
            }
            mounts.addAll(net.files());
            List<Path> lowerWithInit = new ArrayList<>();
            lowerWithInit.add(initLayer());
            lowerWithInit.addAll(lower);
            jbox.runtime.Confinement confined = s.confined();
            LaunchSpec spec = new LaunchSpec(s.id(), s.hostname(), lowerWithInit, containers.dirOf(s.id()), s.args(), s.env(), s.workingDir(), s.user(),
                    s.tty(), stdio, cgroup, mounts, s.mounts().readOnlyRootfs(), net.hostNetwork(), confinement.credentials(confined), confined,
                    devices(confined), confined.ipcMode().startsWith("container:") ? sharedWith(confined.ipcMode(), true) : 0,
                    confined.pidMode().startsWith("container:") ? sharedWith(confined.pidMode(), true) : 0, null);
            ContainerStart.Created created;
            ContainerState running;
            try {
                created = ContainerStart.create(spec);
                int me = Sys.getpid();
                running = s.running(created.pid, Processes.startTime(created.pid), me, Processes.startTime(me),
                        Instant.now().toString(), created.procMethod.name().toLowerCase(), net.endpoint());
                try {
                    if (net.endpoint() != null) jbox.net.ContainerNetwork.attach(net.endpoint(), created.pid);
                    // Recorded while the process still waits at its gate: a jbox killed from here on leaves the
                    // process in the record (found and finished by the next one), never a process nobody knows.
                    containers.save(running);
                } catch (RuntimeException | IOException e) {
                    created.abort();
                    throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
                }
                created.start();
            } catch (RuntimeException e) {
                if (net.endpoint() != null) jbox.net.ContainerNetwork.release(net.endpoint());
                if (cgroup != null) cgroup.destroy();
                Failure ee = Errors.explain(e, "cannot start container " + s.name());
                try {
                    if (s.autoRemove()) containers.delete(s.id()); else containers.save(s.failed(ee.exitCode(), ee.getMessage()));
                } catch (IOException recordFailed) {
                    // a full disk: the record says running with a dead process, which the next look turns into an exit
                }
                throw ee;
            }
            StorageRules.markSeeded(mounts, volumes);
            return new Owned(running, created);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot start container " + nameOrId);
        } catch (ImageNotFoundException e) {
            throw new Failure("the image of container " + s.name() + " (" + s.image() + ") is gone", "it was removed with rmi -f",
                    "remove the container and create it again");
        }
    }

    /** The container's cgroup if it exists (under its --cgroup-parent, if it has one). */
    private Cgroup cgroupOf(ContainerState s) throws IOException { return cgroups().existing(s.id(), s.confined().cgroupParent()); }

    /** --pid/--ipc container:NAME: the pid of that container's first process (which must be running when mustRun). */
    private int sharedWith(String mode, boolean mustRun) {
        String name = mode.substring("container:".length());
        ContainerState other;
        try {
            other = inspect(name);
        } catch (jbox.runtime.NoSuchContainerException e) {
            throw new Failure("No such container: " + name, mode + " shares a namespace of another container", "create and start " + name + " first")
                    .httpStatus(404);
        }
        if (mustRun && other.status() != Status.RUNNING) {
            throw new Failure("cannot join container " + name + ": it is not running", mode + " joins a namespace of its running first process",
                    "start " + name + " first (jbox start " + name + ")").httpStatus(409);
        }
        return other.pid();
    }

    /** The device nodes to make: each --device with the host node's numbers and mode, or every host device when privileged. */
    private static List<jbox.linux.DeviceNode> devices(jbox.runtime.Confinement c) {
        List<jbox.runtime.Confinement.Device> wanted = c.privileged() ? ConfinementRules.hostDevices() : c.devices();
        List<jbox.linux.DeviceNode> out = new ArrayList<>();
        for (jbox.runtime.Confinement.Device d : wanted) {
            try {
                long[] n = ConfinementRules.deviceNumbers(d.pathOnHost());
                int mode = (Integer) Files.getAttribute(Path.of(d.pathOnHost()), "unix:mode") & 0777;
                out.add(new jbox.linux.DeviceNode(d.pathInContainer(), n[0] == 0060000 ? "b" : "c", n[1], n[2], mode, 0, 0));
            } catch (IllegalArgumentException | IOException e) {
                if (!c.privileged()) throw ConfinementRules.invalid(new IllegalArgumentException(e.getMessage()));
            }
        }
        return out;
    }

    private static String permissions(jbox.runtime.Confinement c, jbox.linux.DeviceNode node) {
        for (jbox.runtime.Confinement.Device d : c.devices()) if (d.pathInContainer().equals(node.path())) return d.permissions();
        return "rwm";
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The container's cgroup with its limits written, before any process is in it. Nothing is left if that fails. */
    private Cgroup cgroupWithLimits(ContainerState s) throws IOException {
        Cgroup cgroup = cgroups().forContainer(s.id(), s.confined().cgroupParent());
        if (cgroup == null) {
            if (!s.limits().isEmpty()) {
                throw new Failure("cannot limit container " + s.name() + ": this host has no cgroups mounted",
                        "resource limits are written to cgroup files under /sys/fs/cgroup", "mount cgroup2 on /sys/fs/cgroup, or drop the limit flags");
            }
            return null;
        }
        try {
            cgroup.apply(s.limits());
            jbox.runtime.Confinement c = s.confined();
            if (c.privileged()) cgroup.deviceRules(List.of("allow a"));
            else if (!c.devices().isEmpty()) cgroup.deviceRules(devices(c).stream().map(d -> "allow " + d.cgroupRule(permissions(c, d))).toList());
        } catch (RuntimeException e) {
            cgroup.destroy();
            if (s.autoRemove()) containers.delete(s.id());
            throw new Failure(e.getMessage(), "the kernel or this host's cgroup setup refused the limit", "change or drop the flag");
        }
        return cgroup;
    }

    /**
     * docker's "init layer": empty /etc/hosts, /etc/hostname and /etc/resolv.conf under every
     * container's own layer, so the files bound over them need no placeholder in the container's
     * changes (commit and build would otherwise record them). One read-only dir shared by all.
     */
    Path initLayer() throws IOException {
        Path init = root.resolve("init");
        if (Files.isRegularFile(init.resolve("etc/resolv.conf"))) return init;
        Path tmp = Files.createTempDirectory(root, ".init-");
        Files.createDirectories(tmp.resolve("etc"));
        for (String f : List.of("hosts", "hostname", "resolv.conf")) Files.createFile(tmp.resolve("etc").resolve(f));
        Sys.chmod(tmp.toString(), 0755);
        try {
            Files.move(tmp, init, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            jbox.io.AtomicFiles.deleteTree(tmp); // another jbox made it meanwhile
        }
        return init;
    }

    /** How an owned container ended. */
    public record Exit(int code, boolean oomKilled, Long memoryLimit) {}

    /** Waits for an owned container's first process to end and records the exit. */
    public Exit waitFor(Owned owned) {
        int status = Sys.waitpid(owned.process().pid);
        int code = Linux.exitCode(status);
        String id = owned.state().id();
        boolean oom = false;
        try (FileLock ignored = containers.lock(id)) {
            oom = recordExit(containers.load(id), code, null).oomKilled();
        } catch (java.nio.file.NoSuchFileException e) {
            // removed meanwhile (rm -f from another jbox): nothing left to record
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the exit of container " + id);
        }
        return new Exit(code, oom, owned.state().limits().memory());
    }

    // ---- cgroups: limits, accounting, task control ----

    /** What a process confined this way becomes when spawned: the shell's harden step uses the same as jbox run. */
    public jbox.linux.Credentials credentialsFor(jbox.runtime.Confinement c) { return confinement.credentials(c); }

    /** Docker's rules for limits, the same whichever client asks. */
    private static Resources checked(Resources r) {
        try {
            return r.check();
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "the limit is outside what Docker and the kernel accept", "change the value").httpStatus(400);
        }
    }

    /** A running container's cgroup, or a clear error. */
    private Cgroup runningCgroup(ContainerState s, String action) {
        if (s.status() != Status.RUNNING) {
            throw new Failure("Cannot " + action + " container " + s.name() + ": it is not running",
                    "only a running container has a cgroup with processes", "start it first").httpStatus(409);
        }
        try {
            Cgroup cg = cgroupOf(s);
            if (cg == null) throw new Failure("container " + s.name() + " has no cgroup", "it was started without cgroups", "restart it");
            return cg;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot find the cgroup of " + s.name());
        }
    }

    /** docker pause: freezes every process of the container (task control). */
    public void pause(String nameOrId) { setPaused(nameOrId, true); }

    public void unpause(String nameOrId) { setPaused(nameOrId, false); }

    private void setPaused(String nameOrId, boolean pause) {
        ContainerState s = inspect(nameOrId);
        if (s.paused() == pause) {
            throw new Failure("Container " + s.name() + " is " + (pause ? "already paused" : "not paused"), null,
                    pause ? "unpause it with jbox unpause " + s.name() : "pause it with jbox pause " + s.name()).httpStatus(409);
        }
        Cgroup cg = runningCgroup(s, pause ? "pause" : "unpause");
        if (pause) cg.freeze(); else cg.thaw();
        try (FileLock ignored = containers.lock(s.id())) {
            containers.save(containers.load(s.id()).withPaused(pause));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the pause of " + s.name());
        }
    }

    /** docker update: new limits for a running (or stopped) container; kept for its next start. */
    public ContainerState update(String nameOrId, Resources changes) {
        ContainerState s = inspect(nameOrId);
        Resources merged = checked(s.limits().merge(changes));
        if (s.status() == Status.RUNNING) {
            // A new --memory alone keeps an earlier --memory-swap (or gets Docker's default of twice the memory).
            Resources toWrite = changes;
            if (changes.memory() != null && changes.memorySwap() == null) {
                toWrite = changes.merge(new Resources(null, merged.memorySwap(), null, null, null, null, null, null, null));
            }
            try {
                runningCgroup(s, "update").apply(toWrite);
            } catch (jbox.cgroup.CgroupException e) {
                throw new Failure(e.getMessage(), "the kernel refused the new limit", "choose another value");
            }
        }
        try (FileLock ignored = containers.lock(s.id())) {
            ContainerState updated = containers.load(s.id()).withResources(merged);
            containers.save(updated);
            return updated;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the new limits of " + s.name());
        }
    }

    /** What a running container has used (accounting). */
    public Usage usage(ContainerState s) { return runningCgroup(s, "read the usage of").usage(); }

    /** Pids (host view) of every process in a running container. */
    public List<Integer> processes(String nameOrId) {
        ContainerState s = inspect(nameOrId);
        return runningCgroup(s, "list the processes of").pids();
    }

    /** Which hierarchy holds each controller on this host. */
    public Cgroups cgroupLayout() {
        try {
            return cgroups();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the cgroup layout");
        }
    }

    /**
     * The container's first process has ended: free its cgroup (noting whether the OOM killer
     * struck), then record the exit, or remove the container if it was started with --rm.
     * Returns how it ended either way. Call under its lock.
     */
    private ContainerState recordExit(ContainerState now, int exitCode, String error) throws IOException {
        Cgroup cg = cgroupOf(now);
        boolean oomKilled = false;
        if (cg != null) {
            oomKilled = cg.oomKills() > 0;
            cg.destroy();
        }
        if (now.endpoint() != null) jbox.net.ContainerNetwork.release(now.endpoint());
        ContainerState done = now.exited(exitCode, error, Instant.now().toString(), oomKilled);
        if (now.autoRemove()) {
            containers.delete(now.id());
            removeAnonymousVolumes(now);
        } else {
            containers.save(done);
        }
        return done;
    }

    /**
     * Brings a recorded state up to date with the kernel: a "running" container whose process
     * is gone and whose owner died too (killed -9, say) is marked exited with 255, as Docker
     * marks containers whose exit status was lost, and its leftovers are cleaned up.
     * Returns null when that removed a --rm container. Call under the container's lock.
     */
    ContainerState refresh(ContainerState s) throws IOException {
        if (s.status() != Status.RUNNING) return s;
        boolean ownerAlive = Processes.isSame(s.ownerPid(), s.ownerStartTime());
        if (Processes.isSame(s.pid(), s.pidStartTime())) {
            if (ownerAlive || !waitsAtGate(s.pid(), s.id())) return s;
            // Its jbox was killed between recording it and opening its gate: it would wait forever.
            killAndWait(s.pid());
            return recordExit(s, 255, "the jbox process that started it (pid " + s.ownerPid() + ") was killed before the container's program ran; start it again");
        }
        // The owner is alive and about to record the exit itself (it needs the lock we hold).
        if (ownerAlive) return s;
        ContainerState lost = recordExit(s, 255, "exit status unknown: the jbox process that started the container (pid " + s.ownerPid()
                + ") ended before it, so nobody could collect its exit status");
        return s.autoRemove() ? null : lost;
    }

    /** True if pid is a container's first process still waiting at that container's gate (it never exec'd). */
    private boolean waitsAtGate(int pid, String id) {
        if (!Processes.isUnexecdCopyOfThisJvm(pid)) return false;
        try {
            String cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString();
            return cwd.startsWith(containers.dirOf(id).resolve("gate").toString());
        } catch (IOException e) {
            return false; // gone
        }
    }

    private static void killAndWait(int pid) {
        int fd = Sys.pidfdOpenQuiet(pid);
        Sys.signal(pid, Linux.SIGKILL);
        try {
            if (fd >= 0) Sys.pollIn(fd, 10_000);
        } finally {
            if (fd >= 0) Sys.close(fd);
        }
    }

    /**
     * What killed jbox processes left half-done, undone: half-made and half-removed container
     * directories, first processes still waiting at a gate their jbox will never open, and cgroups of
     * containers that do not run (with whatever is still in them). The daemon calls it before it
     * answers, a jbox without a daemon before its first request. Returns what it did, for the log.
     *
     * @param reaper the process that inherits a dead jbox's children here (the daemon's keeper), or 0
     */
    public List<String> recover(int reaper) {
        List<String> done = new ArrayList<>();
        try {
            for (String dir : containers.sweep()) done.add("removed " + dir + ", which a killed jbox left half-made or half-removed");
            for (ContainerState c : list(true)) { // refresh finishes the recorded ones
                if (c.status() == Status.RUNNING || cgroupOf(c) == null) continue;
                try (FileLock ignored = containers.lock(c.id())) { // a start in progress holds it: wait, then look again
                    ContainerState now = containers.load(c.id());
                    Cgroup cg = cgroupOf(now);
                    if (now.status() == Status.RUNNING || cg == null) continue;
                    cg.destroy();
                    done.add("removed the cgroup of container " + c.name() + ", which does not run");
                } catch (java.nio.file.NoSuchFileException e) {
                    // removed meanwhile
                }
            }
            String base = root.resolve("containers").toAbsolutePath().toString() + "/";
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) continue;
                    int pid = Integer.parseInt(name);
                    String cwd;
                    try {
                        cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                    } catch (IOException e) {
                        continue; // gone, or a kernel thread
                    }
                    if (!cwd.startsWith(base) || !cwd.contains("/gate") || !Processes.isUnexecdCopyOfThisJvm(pid)) continue;
                    int parent = Processes.parent(pid);
                    boolean orphan = parent <= 1 || parent == reaper || !Processes.isUnexecdCopyOfThisJvm(parent);
                    if (!orphan) continue; // its jbox is alive and about to open the gate
                    killAndWait(pid);
                    done.add("stopped process " + pid + ", the first process of container " + cwd.substring(base.length()).split("/")[0]
                            + ", which waited for a jbox that was killed");
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up after a killed jbox");
        }
        return done;
    }

    /**
     * After a crash or kill -9: network addresses, published ports and hosts entries of this root's
     * containers that no longer run are released (containers found dead are released by refresh,
     * within list); returns what was freed.
     */
    public List<String> sweepNetworks() {
        java.util.Set<String> running = new java.util.HashSet<>();
        for (ContainerState c : list(false)) running.add(c.id());
        try {
            return jbox.net.ContainerNetwork.sweep(root.toString(), running);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up network addresses");
        }
    }

    /** The daemon keeps jbox0 while it runs (on), and lets it go when it stops (off). */
    public void holdDefaultBridge(boolean on) {
        try {
            jbox.net.ContainerNetwork.holdDefaultBridge(networks.defaultNetwork(), on);
        } catch (IOException | RuntimeException e) {
            System.err.println("jbox daemon: " + (on ? "cannot set up" : "cannot remove") + " the default bridge: " + e.getMessage());
        }
    }

    /** Where the shell's sandboxes keep their files; each records its owner, so a killed shell's are found. */
    public Path sandboxesDir() { return root.resolve("sandboxes"); }

    /** Removes sandboxes whose shell is gone (killed -9, crashed): their processes, cgroups and files. */
    public void reapAbandonedSandboxes() {
        Path home = sandboxesDir();
        if (!java.nio.file.Files.isDirectory(home)) return;
        try (var s = java.nio.file.Files.list(home)) {
            for (Path d : s.toList()) {
                if (jbox.io.Owner.isAlive(d)) continue;
                Cgroup cg = cgroups().existing(d.getFileName().toString());
                if (cg != null) cg.destroy();
                jbox.io.AtomicFiles.deleteTree(d);
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up abandoned sandboxes");
        }
    }

    /** A private working directory for one build (its context, staged files), owned by this process. */
    public Path newBuildDir() throws IOException {
        Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Files.createDirectories(root.resolve("build")), "b-");
        jbox.io.Owner.claim(dir);
        return dir;
    }

    /** The name prefix of a build's RUN containers, so a killed build's can be found and removed. */
    public static String buildContainerPrefix(Path buildDir) { return "build-" + buildDir.getFileName() + "-"; }

    /** Removes the working directories and RUN containers of builds whose jbox was killed. */
    public void reapAbandonedBuilds() {
        Path home = root.resolve("build");
        if (!java.nio.file.Files.isDirectory(home)) return;
        try (var s = java.nio.file.Files.list(home)) {
            for (Path d : s.toList()) {
                if (jbox.io.Owner.isAlive(d)) continue;
                for (ContainerState c : containers.all()) {
                    if (c.name().startsWith(buildContainerPrefix(d))) remove(c.id(), true);
                }
                jbox.io.AtomicFiles.deleteTree(d);
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up abandoned builds");
        }
    }

    /** All containers (running only unless all), with stale states repaired. */
    public List<ContainerState> list(boolean all) {
        reapAbandonedSandboxes();
        reapAbandonedBuilds();
        List<ContainerState> out = new ArrayList<>();
        try {
            for (ContainerState s : containers.all()) {
                ContainerState r;
                try (FileLock ignored = containers.lock(s.id())) {
                    r = refresh(containers.load(s.id()));
                } catch (java.nio.file.NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    r = s; // its news could not be written (a full disk): shown as last recorded, so ps still works
                }
                if (r != null && (all || r.status() == Status.RUNNING)) out.add(r);
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot list containers");
        }
        return out;
    }

    public ContainerState inspect(String nameOrId) {
        try {
            ContainerState s = containers.find(nameOrId);
            try (FileLock ignored = containers.lock(s.id())) {
                ContainerState r = refresh(containers.load(s.id()));
                if (r == null) throw new jbox.runtime.NoSuchContainerException(nameOrId);
                return r;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new jbox.runtime.NoSuchContainerException(nameOrId); // removed while we looked
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read container " + nameOrId);
        }
    }

    /** Sends a signal to the container's first process. */
    public void kill(String nameOrId, int signal) {
        ContainerState s = inspect(nameOrId);
        if (!s.status().canStop()) {
            throw new Failure("Cannot kill container: " + nameOrId + ": container " + s.id() + " is not running",
                    "only a running container has processes to signal", "start it first, or check jbox ps -a").httpStatus(409);
        }
        signal(s, signal);
    }

    /**
     * SIGKILL goes to the whole cgroup; other signals to PID 1. A paused container is thawed
     * after the signal is sent, or it could never act on it.
     */
    private void signal(ContainerState s, int signal) {
        Optional<Cgroup> cg;
        try {
            cg = Optional.ofNullable(cgroupOf(s));
        } catch (IOException e) {
            cg = Optional.empty();
        }
        if (signal == Linux.SIGKILL && cg.isPresent()) cg.get().kill(signal); else Sys.signal(s.pid(), signal);
        if (s.paused() && cg.isPresent()) cg.get().thaw();
    }

    /**
     * docker stop: SIGTERM (or the image's StopSignal), then SIGKILL after timeoutSeconds.
     * PID 1 of a pid namespace ignores signals it has no handler for, so many programs need the SIGKILL.
     */
    public ContainerState stop(String nameOrId, int timeoutSeconds) { return stop(nameOrId, timeoutSeconds, true); }

    /**
     * docker stop. byUser: a person asked (the restart policy then leaves it stopped); the daemon
     * stopping its containers when it shuts down is not that.
     */
    public ContainerState stop(String nameOrId, int timeoutSeconds, boolean byUser) {
        ContainerState s = inspect(nameOrId);
        if (byUser && !s.restarts().isNo()) setRestart(s.id(), s.restarts().stopped(true));
        if (!s.status().canStop()) return s;
        int signal = Linux.SIGTERM;
        signal(s, signal);
        if (!awaitExit(s, timeoutSeconds * 1000L)) {
            signal = Linux.SIGKILL;
            signal(s, signal);
            awaitExit(s, 10_000);
        }
        return awaitRecorded(s, 128 + signal);
    }

    /** Waits for the process to end: with a pidfd where the kernel has them, else by polling /proc. */
    private static boolean awaitExit(ContainerState s, long millis) {
        int fd = Sys.pidfdOpenQuiet(s.pid());
        try {
            if (fd >= 0 && Processes.isSame(s.pid(), s.pidStartTime())) {
                Sys.pollIn(fd, (int) Math.min(Integer.MAX_VALUE, millis));
            } else {
                long deadline = System.currentTimeMillis() + millis;
                while (Processes.isSame(s.pid(), s.pidStartTime()) && System.currentTimeMillis() < deadline) sleep(5);
            }
        } finally {
            if (fd >= 0) Sys.close(fd);
        }
        return !Processes.isSame(s.pid(), s.pidStartTime());
    }

    /** After the process ended: the owner records the exit; if the owner is gone, record what we know. */
    private ContainerState awaitRecorded(ContainerState s, int assumedCode) {
        for (int i = 0; i < 400; i++) {
            try {
                ContainerState now = containers.load(s.id());
                if (now.status() != Status.RUNNING) return now;
                if (!Processes.isSame(now.ownerPid(), now.ownerStartTime())) break;
            } catch (java.nio.file.NoSuchFileException e) {
                return s.exited(assumedCode, null, Instant.now().toString(), false); // --rm removed it
            } catch (IOException e) {
                throw Errors.explain(e, "cannot read container " + s.name());
            }
            sleep(5);
        }
        try (FileLock ignored = containers.lock(s.id())) {
            ContainerState now = containers.load(s.id());
            if (now.status() != Status.RUNNING) return now;
            return recordExit(now, assumedCode, null);
        } catch (java.nio.file.NoSuchFileException e) {
            return s.exited(assumedCode, null, Instant.now().toString(), false);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the exit of container " + s.name());
        }
    }

    /** docker rm: refuses a running container unless forced; removes state, upper dir and cgroup. */
    public void remove(String nameOrId, boolean force) { remove(nameOrId, force, false); }

    /** docker rm [-f] [-v]: -v also removes the container's anonymous volumes. */
    public void remove(String nameOrId, boolean force, boolean anonymousVolumes) {
        ContainerState s = inspect(nameOrId);
        if (!s.status().canRemoveWithoutForce()) {
            if (!force) {
                throw new Failure("cannot remove container " + s.name() + ": it is running",
                        "removing would kill its processes", "stop it first (jbox stop " + s.name() + "), or force the removal with jbox rm -f").httpStatus(409);
            }
            signal(s, Linux.SIGKILL);
            awaitExit(s, 10_000);
            s = awaitRecorded(s, 137);
        }
        try (FileLock ignored = containers.lock(s.id())) {
            Cgroup cg = cgroupOf(s);
            if (cg != null) cg.destroy();
            containers.delete(s.id());
        } catch (java.nio.file.NoSuchFileException e) {
            // removed by its own --rm meanwhile
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove container " + s.name());
        }
        if (anonymousVolumes) removeAnonymousVolumes(s);
    }

    /** The volumes made for this container alone, once no other container uses them (rm -v, and --rm as docker does). */
    private void removeAnonymousVolumes(ContainerState s) {
        for (jbox.linux.Storage.Mount m : s.mounts().mounts()) {
            if (m.type() != jbox.linux.Storage.Type.VOLUME || !m.anonymous() || !volumeUsers(m.source()).isEmpty()) continue;
            try {
                removeVolume(m.source(), false);
            } catch (Failure e) {
                if (Files.isDirectory(volumes.dataDir(m.source()))) throw e; // else removed meanwhile (volume rm, prune)
            }
        }
    }

    /**
     * The daemon will restart this exited container after its back-off: shown as Restarting meanwhile.
     * False (nothing recorded) when a user stopped or started it since it exited.
     */
    public boolean markRestartPending(String id) {
        try (FileLock ignored = containers.lock(id)) {
            ContainerState s = containers.load(id);
            if (s.restarts().stoppedByUser() || s.status() != Status.EXITED) return false;
            containers.save(s.withRestart(s.restarts().waiting()));
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // removed meanwhile
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the restart state of " + id);
        }
    }

    /** What container prune removed, and the bytes their writable layers held. */
    public record Pruned(List<String> ids, long bytes) {}

    /** docker container prune: removes every stopped container (created or exited, not one waiting for its restart). */
    public Pruned pruneContainers() {
        List<String> ids = new ArrayList<>();
        long bytes = 0;
        for (ContainerState c : list(true)) {
            if (c.status() == Status.RUNNING || c.restarts().pending()) continue;
            try {
                Path upper = containers.dirOf(c.id()).resolve("upper"); // none before a first start
                long size = Files.isDirectory(upper) ? jbox.image.ImageStore.treeSize(upper) : 0;
                remove(c.id(), false);
                ids.add(c.id());
                bytes += size;
            } catch (jbox.runtime.NoSuchContainerException | java.nio.file.NoSuchFileException e) {
                // removed meanwhile
            } catch (IOException e) {
                throw Errors.explain(e, "cannot measure container " + c.name());
            }
        }
        return new Pruned(ids, bytes);
    }

    /** Records a container's restart policy state (count, stopped by a user). */
    public void setRestart(String id, jbox.runtime.Restart r) {
        try (FileLock ignored = containers.lock(id)) {
            containers.save(containers.load(id).withRestart(r));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the restart state of " + id);
        }
    }

    /** A restart by policy that did not happen: a user stopped the container, or it runs already. */
    public static final class NotRestartedException extends RuntimeException {
        NotRestartedException() { super("not restarted", null, false, false); }
    }

    // ---- health ----

    /** What the daemon's health checks found (containers/ID/health.json), or null when it has none. */
    public jbox.runtime.Health.State healthState(String id) {
        java.nio.file.Path f = containers.dirOf(id).resolve("health.json");
        try {
            return java.nio.file.Files.isRegularFile(f)
                    ? jbox.io.Json.read(java.nio.file.Files.readAllBytes(f), jbox.runtime.Health.State.class, "health of " + id) : null;
        } catch (IOException e) {
            return null; // removed meanwhile
        }
    }

    public void saveHealth(String id, jbox.runtime.Health.State state) throws IOException {
        java.nio.file.Path dir = containers.dirOf(id);
        if (java.nio.file.Files.isDirectory(dir)) jbox.io.AtomicFiles.write(dir, dir.resolve("health.json"), jbox.io.Json.bytes(state));
    }

    // ---- volumes ----

    /** The containers (names) that mount this volume. */
    public List<String> volumeUsers(String name) {
        List<String> users = new ArrayList<>();
        try {
            for (ContainerState c : containers.all()) {
                for (jbox.linux.Storage.Mount m : c.mounts().mounts()) {
                    if (m.type() == jbox.linux.Storage.Type.VOLUME && m.source().equals(name)) users.add(c.name());
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the containers");
        }
        return users;
    }

    public Volumes.Volume createVolume(String name, java.util.Map<String, String> labels) {
        try {
            return volumes.ensure(name == null || name.isEmpty() ? Names.newId() : name, labels, name == null || name.isEmpty());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot create volume " + name);
        }
    }

    /** docker volume rm: refused while a container uses it (even a stopped one), as docker does. */
    public void removeVolume(String name, boolean force) {
        try {
            volumes.get(name);
            List<String> users = volumeUsers(name);
            if (!users.isEmpty()) {
                throw new Failure("remove " + name + ": volume is in use - " + users, "a container mounts it (stopped ones count too)",
                        "remove the container first (jbox rm " + users.get(0) + "), then the volume").httpStatus(409);
            }
            volumes.delete(name);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove volume " + name);
        }
    }

    /** docker volume prune: the unused anonymous volumes, or all unused ones with all. Returns their names. */
    public List<String> pruneVolumes(boolean all) {
        List<String> removed = new ArrayList<>();
        try {
            for (Volumes.Volume v : volumes.list()) {
                if ((all || v.anonymous()) && volumeUsers(v.name()).isEmpty()) {
                    volumes.delete(v.name());
                    removed.add(v.name());
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot prune volumes");
        }
        return removed;
    }

    /**
     * Hands a running container to another parent: after its daemon was killed, the keeper
     * inherited it and will record its exit.
     */
    public void setOwner(String id, int ownerPid) {
        try (FileLock ignored = containers.lock(id)) {
            ContainerState s = containers.load(id);
            if (s.status() == Status.RUNNING) containers.save(s.withOwner(ownerPid, Processes.startTime(ownerPid)));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the new parent of container " + id);
        }
    }

    /**
     * A process this one inherited ended (the keeper's job): if it was a container's first
     * process, record the exit. Returns the container's id, or null if it was none.
     */
    public String recordInheritedExit(int pid, int waitStatus) {
        try {
            for (ContainerState s : containers.all()) {
                if (s.status() != Status.RUNNING || s.pid() != pid) continue;
                try (FileLock ignored = containers.lock(s.id())) {
                    ContainerState now = containers.load(s.id());
                    if (now.status() == Status.RUNNING && now.pid() == pid) recordExit(now, Linux.exitCode(waitStatus), null);
                }
                return s.id();
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the exit of process " + pid);
        }
        return null;
    }

    /** docker exec: starts one more process in a running container, as a child of this process. */
    public jbox.runtime.ExecStart.Started exec(String nameOrId, List<String> args, List<String> env, String workingDir, String user,
                                               boolean tty, LaunchSpec.Stdio stdio) {
        ContainerState s = inspect(nameOrId);
        if (s.status() != Status.RUNNING) {
            throw new Failure("Container " + s.name() + " is not running", "exec runs a process next to a running container's first process",
                    "start it first (jbox start " + s.name() + ")").httpStatus(409);
        }
        if (s.paused()) {
            throw new Failure("Container " + s.name() + " is paused", "a frozen container cannot run anything new",
                    "unpause it first (jbox unpause " + s.name() + ")").httpStatus(409);
        }
        List<String> fullEnv = Environment.merge(s.env(), env, s.hostname(), tty);
        try {
            return jbox.runtime.ExecStart.start(new jbox.runtime.ExecStart.Spec(s.id(), s.pid(), args, fullEnv,
                    workingDir == null || workingDir.isEmpty() ? s.workingDir() : workingDir,
                    user == null || user.isEmpty() ? s.user() : user, tty, stdio, cgroupOf(s), confinement.credentials(s.confined()), null));
        } catch (RuntimeException | IOException e) {
            throw Errors.explain(e, "cannot exec in container " + s.name());
        }
    }

    /** Records a start failure seen by a detached owner, for the CLI that waits for it. */
    public void recordFailure(String id, Failure e) {
        try (FileLock ignored = containers.lock(id)) {
            containers.save(containers.load(id).failed(e.exitCode(), e.getMessage()));
        } catch (IOException ex) {
            throw Errors.explain(ex, "cannot record the failure of container " + id);
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
