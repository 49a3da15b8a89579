package jbox.engine;

import jbox.linux.MountPlan;

import jbox.sys.Failure;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Cgroups;
import jbox.cgroup.Resources;
import jbox.image.Image;
import jbox.image.ImageNotFoundException;
import jbox.image.ImageStore;
import jbox.image.ImageSpec;
import jbox.runtime.ContainerStart;
import jbox.runtime.ContainerConfig;
import jbox.runtime.ContainerState;
import jbox.runtime.ImagePlan;
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
import java.util.Map;
import java.util.function.Consumer;

/** The engine's the container lifecycle: create, start, the wait for the exit and its record, stop, removal, prune, restart records, and the repair of records whose jbox died. */
public final class Lifecycle {
    private final Engine engine;
    private final Path root;
    private final ImageStore images;
    private final StateStore containers;
    private final Volumes volumes;
    private final Networks networks;
    private final ConfinementRules confinement;

    Lifecycle(Engine engine) {
        this.engine = engine;
        this.root = engine.root();
        this.images = engine.images();
        this.containers = engine.containers();
        this.volumes = engine.volumes();
        this.networks = engine.networks();
        this.confinement = engine.confinement();
    }

    /** Records a new container (no process yet), like docker create. */
    public ContainerState create(CreateRequest req, Consumer<String> progress) {
        Engine.checked(req.resources() == null ? Resources.NONE : req.resources());
        Image image = engine.imageService().imageFor(req.image(), progress);
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
        if (req.init()) initBinary(); // refused at create, not at its first start
        jbox.net.Networking networking = req.network() == null ? jbox.net.Networking.DEFAULT : req.network();
        try {
            jbox.net.Network network = networks.get(networking.mode());
            NetworkAttachments.checkAliases(network, networking.aliases(), "create a network (jbox network create NAME) and run with --network NAME");
            networking = networking.on(network.name(), networking.aliases());
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
            ContainerState s = ContainerState.created(new ContainerConfig(id, name, Instant.now().toString(), imageName, image.id().toString(), args,
                    env, workdir, user, hostname, req.tty(), req.interactive(), req.autoRemove(), image.diffIds().stream().map(Object::toString).toList(),
                    req.resources() == null ? Resources.NONE : req.resources(), storage, jbox.runtime.Restart.orNo(req.restart()).policyOnly(),
                    health, networking, confined, jbox.runtime.LogConfig.orDefault(req.log()), labels(ic.labels(), req.labels()),
                    stopRule(req.stop(), ic.stopSignal()), req.init()));
            containers.claimName(name, id); // first: a container never exists without its name taken
            containers.create(s);
            engine.events().container(s, "create", Map.of());
            return s;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot create the container");
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "container names are 1 to " + Names.MAX_LENGTH + " letters, digits and _ . -, starting with a letter or digit",
                    "choose another --name").httpStatus(400);
        }
    }

    /**
     * A container this process started and must wait for: only what its wait needs, so a daemon with
     * thousands of idle containers does not keep each one's start (its plan, spec and state) alive.
     *
     * @param ptyMaster the terminal's master end, or -1 without a tty
     */
    public record Owned(String id, int pid, int ptyMaster, Long memoryLimit) {}

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
                if (s.restarts().stoppedByUser() || s.status().hasProcess()) throw new NotRestartedException();
                s = s.withRestart(s.restarts().counted());
            } else if (s.restarts().stoppedByUser()) {
                s = s.withRestart(s.restarts().stopped(false)); // started again by a user: the policy applies again
            }
            if (!s.status().canStart()) {
                throw new Failure("container " + s.name() + " is already running", "a container has one first process at a time",
                        "stop it first (jbox stop " + s.name() + ")").httpStatus(409);
            }
            return launch(s, stdio);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot start container " + nameOrId);
        }
    }

    /**
     * The start itself, under the container's lock: whatever it made goes again if a step fails
     * (its cgroup, its address), and the container is recorded as failed, or removed if it was
     * made with --rm, as dockerd does.
     */
    private Owned launch(ContainerState s, LaunchSpec.Stdio stdio) {
        Cgroup cgroup = null;
        jbox.net.ContainerNetwork.Prepared net = null;
        try {
            endLeftoverView(s); // its overlay would hold the writable layer
            Image image = images.find(s.imageId()); // a clear error before anything is made
            cgroup = cgroupWithLimits(s);
            List<MountPlan> mounts = new ArrayList<>(StorageRules.plan(s.mounts(), volumes));
            net = jbox.net.ContainerNetwork.prepare(networks.get(s.networking().mode()), root.toString(), s.id(), s.name(), s.hostname(),
                    s.networking(), containers.dirOf(s.id()), mounts.stream().map(m -> m.mount().target()).collect(java.util.stream.Collectors.toSet()));
            mounts.addAll(net.files());
            ContainerStart.Created created = ContainerStart.create(launchSpec(s, image, mounts, net.hostNetwork(), net.endpoint(), cgroup, stdio));
            int me = Sys.getpid();
            ContainerState running = s.running(created.pid, Processes.startTime(created.pid), me, Processes.startTime(me),
                    Instant.now().toString(), created.procMethod.name().toLowerCase(), net.endpoint());
            try {
                // Recorded while the process still waits at its gate: a jbox killed from here on leaves the
                // process in the record (found and finished by the next one), never a process nobody knows.
                containers.save(running);
            } catch (RuntimeException | IOException e) {
                created.abort();
                throw e;
            }
            created.start();
            engine.events().container(s, "start", Map.of());
            StorageRules.markSeeded(mounts, volumes);
            return new Owned(s.id(), created.pid, created.ptyMaster(), s.limits().memory());
        } catch (RuntimeException | IOException e) {
            if (net != null && net.endpoint() != null) jbox.net.ContainerNetwork.release(net.endpoint());
            if (cgroup != null) cgroup.destroy();
            Failure failure = e instanceof ImageNotFoundException ? imageGone(s) : Errors.explain(e, "cannot start container " + s.name());
            try {
                if (s.autoRemove()) destroyLater(s, null); else containers.save(s.failed(failure.exitCode(), failure.getMessage()));
            } catch (IOException recordFailed) {
                // a full disk: the record says running with a dead process, which the next look turns into an exit
            }
            throw failure;
        }
    }

    /** What the start sequence gets for this container: its image, its mounts, its confinement. */
    private LaunchSpec launchSpec(ContainerState s, Image image, List<MountPlan> mounts, boolean hostNetwork, jbox.net.Networking.Endpoint endpoint,
                                  Cgroup cgroup, LaunchSpec.Stdio stdio) throws IOException {
        List<Path> lowerWithInit = new ArrayList<>();
        lowerWithInit.add(initLayer());
        lowerWithInit.addAll(images.layerDirs(image));
        jbox.runtime.Confinement confined = s.confined();
        Path dir = containers.dirOf(s.id());
        List<String> args = s.args();
        if (s.config().init()) {
            mounts = new ArrayList<>(mounts);
            Path tini = initBinary();
            mounts.add(new MountPlan(new jbox.linux.Storage.Mount(jbox.linux.Storage.Type.BIND, tini.toString(), INIT_PATH, true, null, false, true), tini, false));
            args = new ArrayList<>(List.of(INIT_PATH, "--"));
            args.addAll(s.args());
        }
        ImagePlan plan = new ImagePlan(lowerWithInit, dir, engine.mountPoint(), s.hostname(), s.user(), mounts, s.mounts().readOnlyRootfs(), hostNetwork, confined,
                devices(confined), confined.ipcMode().startsWith("container:") ? sharedWith(confined.ipcMode(), true) : 0,
                confined.pidMode().startsWith("container:") ? sharedWith(confined.pidMode(), true) : 0, endpoint,
                cgroup == null ? null : cgroup.path());
        return new LaunchSpec(s.id(), plan, args, s.env(), s.workingDir(), s.tty(), stdio, cgroup, confinement.credentials(confined), dir);
    }

    /** Where --init's program appears in the container, as docker's docker-init. */
    static final String INIT_PATH = "/sbin/docker-init";

    /** --init runs Debian's static tini (as docker's docker-init is tini): static, so it runs in any image. */
    private static Path initBinary() {
        Path tini = Path.of("/usr/bin/tini-static");
        if (!Files.isRegularFile(tini)) {
            throw new Failure("--init needs tini, which is not installed", "jbox's init is tini-static, from Debian's tini package",
                    "install it: sudo apt-get install tini");
        }
        return tini;
    }

    /**
     * docker cp on a container that is not running: its filesystem as its start makes it (image layers,
     * its writable layer, volumes, bind mounts), in a first process that never runs its program and has
     * no network or cgroup. Its root is /proc/PID/root; abort() ends it. The caller holds the container's
     * lock, so no start mounts the same writable layer meanwhile.
     */
    public ContainerStart.Created filesystemView(ContainerState s) {
        endLeftoverView(s);
        int devNull = Sys.open("/dev/null", Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        try {
            Image image = images.find(s.imageId());
            List<MountPlan> mounts = new ArrayList<>(StorageRules.plan(s.mounts(), volumes));
            ContainerStart.Created view = ContainerStart.create(launchSpec(s, image, mounts, false, null, null, new LaunchSpec.Stdio(devNull, devNull, devNull)));
            // A jbox killed during the copy leaves the process waiting at its gate: the next start or copy ends it.
            Files.writeString(containers.dirOf(s.id()).resolve(VIEW_FILE), view.pid + " " + view.startTime);
            return view;
        } catch (ImageNotFoundException e) {
            throw imageGone(s);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot open the filesystem of container " + s.name());
        } finally {
            Sys.close(devNull);
        }
    }

    private static Failure imageGone(ContainerState s) {
        return new Failure("the image of container " + s.name() + " (" + s.image() + ") is gone", "it was removed with rmi -f",
                "remove the container and create it again");
    }

    private static final String VIEW_FILE = "filesystem-view.pid";

    public void endFilesystemView(ContainerState s, ContainerStart.Created view) throws IOException {
        view.abort();
        Files.deleteIfExists(containers.dirOf(s.id()).resolve(VIEW_FILE));
    }

    /** A filesystem view that a killed jbox left (the caller holds the container's lock). */
    private void endLeftoverView(ContainerState s) {
        Path f = containers.dirOf(s.id()).resolve(VIEW_FILE);
        try {
            String[] pidAndStart = Files.readString(f).trim().split(" ");
            int pid = Integer.parseInt(pidAndStart[0]);
            Processes.signal(pid, Long.parseLong(pidAndStart[1]), Linux.SIGKILL, 10_000);
            Files.deleteIfExists(f);
        } catch (java.nio.file.NoSuchFileException e) {
            // none: the usual case
        } catch (IOException | RuntimeException e) {
            // unreadable: the start that follows reports what is wrong
        }
    }

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
        if (mustRun && !other.status().hasProcess()) {
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
        Cgroup cgroup = engine.cgroups().forContainer(s.id(), s.confined().cgroupParent());
        if (cgroup == null) {
            if (!s.limits().isEmpty()) {
                Cgroups.Unavailable why = engine.cgroups().unavailable();
                throw new Failure("cannot limit container " + s.name() + ": jbox can use no cgroups here", why.cause(), why.fix() + ", or drop the limit flags");
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
            if (s.autoRemove()) destroyLater(s, null);
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
        int status = Sys.waitpid(owned.pid());
        int code = Linux.exitCode(status);
        String id = owned.id();
        boolean oom = false;
        try (FileLock ignored = containers.lock(id)) {
            oom = recordExit(containers.load(id), code, null).oomKilled();
        } catch (java.nio.file.NoSuchFileException e) {
            // removed meanwhile (rm -f from another jbox): nothing left to record
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the exit of container " + id);
        }
        return new Exit(code, oom, owned.memoryLimit());
    }

    /**
     * The container's first process has ended: free its cgroup (noting whether the OOM killer
     * struck), then record the exit, or remove the container if it was started with --rm (its
     * cgroup and files then go in the background: Removals). Returns how it ended either way.
     * Call under its lock.
     */
    private ContainerState recordExit(ContainerState now, int exitCode, String error) throws IOException {
        Cgroup cg = engine.cgroupOf(now);
        boolean oomKilled = cg != null && cg.oomKills() > 0;
        if (cg != null && !now.autoRemove()) cg.destroy();
        if (now.endpoint() != null) jbox.net.ContainerNetwork.release(now.endpoint());
        ContainerState done = now.exited(exitCode, error, Instant.now().toString(), oomKilled);
        if (oomKilled) engine.events().container(now, "oom", Map.of());
        engine.events().container(now, "die", Map.of("exitCode", String.valueOf(exitCode)));
        if (now.autoRemove()) {
            destroyLater(now, cg);
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
        if (!s.status().hasProcess()) return s;
        boolean ownerAlive = Processes.isSame(s.ownerPid(), s.ownerStartTime());
        if (Processes.isSame(s.pid(), s.pidStartTime())) {
            if (ownerAlive || !waitsAtGate(s.pid(), s.id())) return s;
            // Its jbox was killed between recording it and opening its gate: it would wait forever.
            Processes.signal(s.pid(), s.pidStartTime(), Linux.SIGKILL, 10_000);
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

    /** All containers (running only unless all), with stale states repaired. */
    public List<ContainerState> list(boolean all) {
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
                if (r != null && (all || r.status().hasProcess())) out.add(r);
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

    /** docker's merge: the image's labels, then the container's own over them. */
    private static java.util.Map<String, String> labels(java.util.Map<String, String> image, java.util.Map<String, String> own) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (image != null) out.putAll(image);
        if (own != null) out.putAll(own);
        return out;
    }

    /** --stop-signal, else the image's STOPSIGNAL; a signal the kernel does not know is refused now, not at stop. */
    private static jbox.runtime.StopRule stopRule(jbox.runtime.StopRule asked, String imageSignal) {
        jbox.runtime.StopRule r = jbox.runtime.StopRule.orDefault(asked);
        if (r.signal() == null && imageSignal != null && !imageSignal.isEmpty()) r = new jbox.runtime.StopRule(imageSignal, r.timeout());
        try {
            r.signalNumber();
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "the stop signal names no Linux signal", "use a name like SIGQUIT or a number").httpStatus(400);
        }
        if (r.timeout() != null && r.timeout() < -1) {
            throw new Failure("invalid stop timeout " + r.timeout(), "it is seconds to wait, or -1 to wait for ever", "give 0 or more seconds").httpStatus(400);
        }
        return r;
    }

    /**
     * docker stop: the container's stop signal (SIGTERM, or --stop-signal, or the image's STOPSIGNAL),
     * then SIGKILL after the timeout asked for (null: the container's --stop-timeout, else 10 s; -1: never).
     * PID 1 of a pid namespace ignores signals it has no handler for, so many programs need the SIGKILL.
     */
    public ContainerState stop(String nameOrId, Integer timeoutSeconds) { return stop(nameOrId, timeoutSeconds, true); }

    /**
     * docker stop. byUser: a person asked (the restart policy then leaves it stopped); the daemon
     * stopping its containers when it shuts down is not that.
     */
    public ContainerState stop(String nameOrId, Integer timeoutSeconds, boolean byUser) {
        ContainerState s = inspect(nameOrId);
        if (byUser && !s.restarts().isNo()) setRestart(s.id(), s.restarts().stopped(true));
        if (!s.status().canStop()) return s;
        int signal = s.stopRule().signalNumber();
        int timeout = s.stopRule().timeout(timeoutSeconds);
        engine.tasks().signal(s, signal);
        if (!awaitExit(s, timeout < 0 ? Integer.MAX_VALUE : timeout * 1000L)) {
            signal = Linux.SIGKILL;
            engine.tasks().signal(s, signal);
            awaitExit(s, 10_000);
        }
        ContainerState stopped = awaitRecorded(s, 128 + signal);
        engine.events().container(s, "stop", Map.of());
        return stopped;
    }

    /** Waits for the container's first process to end; whether it has. */
    private static boolean awaitExit(ContainerState s, long millis) { return Processes.awaitExit(s.pid(), s.pidStartTime(), millis); }

    /** After the process ended: the owner records the exit; if the owner is gone, record what we know. */
    private ContainerState awaitRecorded(ContainerState s, int assumedCode) {
        for (int i = 0; i < 400; i++) {
            try {
                ContainerState now = containers.load(s.id());
                if (!now.status().hasProcess()) return now;
                if (!Processes.isSame(now.ownerPid(), now.ownerStartTime())) break;
            } catch (java.nio.file.NoSuchFileException e) {
                return s.exited(assumedCode, null, Instant.now().toString(), false); // --rm removed it
            } catch (IOException e) {
                throw Errors.explain(e, "cannot read container " + s.name());
            }
            Engine.sleep(5);
        }
        try (FileLock ignored = containers.lock(s.id())) {
            ContainerState now = containers.load(s.id());
            if (!now.status().hasProcess()) return now;
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
            engine.tasks().signal(s, Linux.SIGKILL);
            awaitExit(s, 10_000);
            s = awaitRecorded(s, 137);
        }
        Path trash;
        Cgroup cg;
        try (FileLock ignored = containers.lock(s.id())) {
            cg = engine.cgroupOf(s);
            trash = retire(s);
        } catch (java.nio.file.NoSuchFileException e) {
            trash = null; // removed by its own --rm meanwhile
            cg = null;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove container " + s.name());
        }
        // as docker's rm: its files are gone when rm returns
        try {
            if (trash != null) engine.removals().remove(cg, trash).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw Errors.explain(e.getCause(), "cannot remove container " + s.name());
        }
        if (anonymousVolumes) removeAnonymousVolumes(s);
    }

    /**
     * Its record goes out of sight (the caller holds its lock) and docker's destroy event says so;
     * returns where its files went (null: already gone), for Removals to remove with its cgroup.
     */
    private Path retire(ContainerState s) throws IOException {
        Path trash = containers.retire(s);
        if (trash != null) engine.events().container(s, "destroy", Map.of());
        return trash;
    }

    /** A --rm container's end: retired now, its cgroup (if any) and files removed in the background. */
    private void destroyLater(ContainerState s, Cgroup cg) throws IOException {
        Path trash = retire(s);
        if (trash != null) engine.removals().removeLater(s.name(), cg, trash);
    }

    /** The volumes made for this container alone, once no other container uses them (rm -v, and --rm as docker does). */
    private void removeAnonymousVolumes(ContainerState s) {
        for (jbox.linux.Storage.Mount m : s.mounts().mounts()) {
            if (m.type() != jbox.linux.Storage.Type.VOLUME || !m.anonymous() || !engine.volumeService().volumeUsers(m.source()).isEmpty()) continue;
            try {
                engine.volumeService().removeVolume(m.source(), false);
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
    public Pruned pruneContainers(java.util.function.Predicate<ContainerState> which) {
        List<String> ids = new ArrayList<>();
        long bytes = 0;
        for (ContainerState c : list(true)) {
            if (c.status().hasProcess() || c.status() == Status.RESTARTING || !which.test(c)) continue;
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

    /**
     * Hands a running container to another parent: after its daemon was killed, the keeper
     * inherited it and will record its exit.
     */
    public void setOwner(String id, int ownerPid) {
        try (FileLock ignored = containers.lock(id)) {
            ContainerState s = containers.load(id);
            if (s.status().hasProcess()) containers.save(s.withOwner(ownerPid, Processes.startTime(ownerPid)));
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
                if (!s.status().hasProcess() || s.pid() != pid) continue;
                try (FileLock ignored = containers.lock(s.id())) {
                    ContainerState now = containers.load(s.id());
                    if (now.status().hasProcess() && now.pid() == pid) recordExit(now, Linux.exitCode(waitStatus), null);
                }
                return s.id();
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the exit of process " + pid);
        }
        return null;
    }

    /** Records a start failure seen by a detached owner, for the CLI that waits for it. */
    public void recordFailure(String id, Failure e) {
        try (FileLock ignored = containers.lock(id)) {
            containers.save(containers.load(id).failed(e.exitCode(), e.getMessage()));
        } catch (IOException ex) {
            throw Errors.explain(ex, "cannot record the failure of container " + id);
        }
    }
}
