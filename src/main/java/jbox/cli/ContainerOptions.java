package jbox.cli;

import jbox.terminal.Candidates;

import jbox.engine.CreateRequest;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** The flags `run` and `create` share, named as Docker names them. */
final class ContainerOptions {
    @Option(names = "--name", description = "Assign a name to the container") String name;
    @Option(names = {"-e", "--env"}, description = "Set environment variables (NAME=value, or NAME to pass the host's)") List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container") String workdir;
    @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])") String user;
    @Option(names = {"-h", "--hostname"}, description = "Container host name") String hostname;
    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image") String entrypoint;
    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open") boolean interactive;
    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
    @Option(names = "--rm", description = "Automatically remove the container when it exits") boolean autoRemove;
    @Option(names = "--pull", paramLabel = "POLICY", description = "Pull the image before creating: missing (default), always, never") String pull = "missing";
    @Option(names = "--init", description = "Run an init (tini) inside the container that forwards signals and reaps processes") boolean init;
    @Option(names = {"-v", "--volume"}, paramLabel = "SOURCE:TARGET[:ro]", description = "Bind mount a host path, or mount a named volume (-v NAME:/path), or an anonymous one (-v /path)") List<String> volumes = new ArrayList<>();
    @Option(names = "--mount", paramLabel = "type=bind|volume|tmpfs,source=...,target=...[,readonly]", description = "Attach a filesystem mount to the container") List<String> mounts = new ArrayList<>();
    @Option(names = "--tmpfs", paramLabel = "PATH[:size=64m,mode=1777]", description = "Mount a tmpfs (memory) directory") List<String> tmpfs = new ArrayList<>();
    @Option(names = "--read-only", description = "Mount the container's root filesystem as read only") boolean readOnly;
    @Option(names = "--health-cmd", paramLabel = "COMMAND", description = "Command to run to check health (run by jbox daemon)") String healthCmd;
    @Option(names = "--health-interval", paramLabel = "DURATION", description = "Time between running the check (default 30s)") String healthInterval;
    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "Maximum time to allow one check to run (default 30s)") String healthTimeout;
    @Option(names = "--health-retries", paramLabel = "N", description = "Consecutive failures needed to report unhealthy (default 3)") int healthRetries;
    @Option(names = "--health-start-period", paramLabel = "DURATION", description = "Start period: failures then do not count (default 0s)") String healthStartPeriod;
    @Option(names = "--no-healthcheck", description = "Disable any container-specified HEALTHCHECK") boolean noHealthcheck;
    @Option(names = "--restart", paramLabel = "POLICY", description = "Restart policy, carried out by jbox daemon: no, on-failure[:N], always, unless-stopped") String restart;
    @Option(names = {"--network", "--net"}, paramLabel = "NETWORK", description = "Connect a container to a network: bridge (default), host, none, or one made with jbox network create") String network;
    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label on the container") List<String> labels = new ArrayList<>();
    @Option(names = "--label-file", paramLabel = "FILE", description = "Read labels from a file of KEY=VALUE lines") List<java.nio.file.Path> labelFiles = new ArrayList<>();
    @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal to stop the container with (default: the image's, else SIGTERM)") String stopSignal;
    @Option(names = "--stop-timeout", paramLabel = "SECONDS", description = "Seconds to wait for it to stop before SIGKILL (default 10)") Integer stopTimeout;
    @Option(names = "--network-alias", paramLabel = "ALIAS", description = "Another name the container's peers on a user network find it by") List<String> networkAliases = new ArrayList<>();
    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]", description = "Publish a container's port to the host") List<String> publish = new ArrayList<>();
    @Option(names = "--privileged", description = "Give extended privileges to this container: every capability and device, no seccomp filter, no masked paths") boolean privileged;
    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a Linux capability (e.g. NET_ADMIN, or ALL)") List<String> capAdd = new ArrayList<>();
    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a Linux capability (e.g. CHOWN, or ALL)") List<String> capDrop = new ArrayList<>();
    @Option(names = "--security-opt", paramLabel = "OPT", description = "Security options: seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false], systempaths=unconfined, apparmor=unconfined, label=disable") List<String> securityOpts = new ArrayList<>();
    @Option(names = "--device", paramLabel = "HOST[:CONTAINER[:rwm]]", description = "Add a host device to the container") List<String> devices = new ArrayList<>();
    @Option(names = "--pid", paramLabel = "MODE", description = "PID namespace to use: host, or container:NAME") String pid;
    @Option(names = "--ipc", paramLabel = "MODE", description = "IPC mode to use: private, shareable, host, none, or container:NAME") String ipc;
    @Option(names = "--uts", paramLabel = "MODE", description = "UTS namespace to use: host") String uts;
    @Option(names = "--cgroupns", paramLabel = "MODE", description = "Cgroup namespace to use: private (default) or host") String cgroupns;
    @Option(names = "--sysctl", paramLabel = "KEY=VALUE", description = "Set a namespaced kernel setting (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)") List<String> sysctls = new ArrayList<>();
    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Set a ulimit (e.g. nofile=1024:2048)") List<String> ulimits = new ArrayList<>();
    @Option(names = "--shm-size", paramLabel = "SIZE", description = "Size of /dev/shm (default 64m)") String shmSize;
    @Option(names = "--group-add", paramLabel = "GROUP", description = "Add an additional group to join") List<String> groupAdd = new ArrayList<>();
    @Option(names = "--oom-score-adj", paramLabel = "N", description = "Tune the host's OOM preferences (-1000 to 1000)") int oomScoreAdj;
    @Option(names = "--cgroup-parent", paramLabel = "PATH", description = "Cgroup the container's own is made under") String cgroupParent;
    @Option(names = "--log-driver", paramLabel = "DRIVER", description = "Logging driver: json-file (default) or none") String logDriver;
    @Option(names = "--log-opt", paramLabel = "KEY=VALUE", description = "Log driver options: max-size, max-file") List<String> logOpts = new ArrayList<>();
    @Option(names = "--help", usageHelp = true, description = "Print usage") boolean help;
    @picocli.CommandLine.Mixin ResourceOptions limits;
    @Parameters(index = "0", paramLabel = "IMAGE", completionCandidates = Candidates.Images.class) String image;
    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*") List<String> command = new ArrayList<>();

    CreateRequest request() {
        return new CreateRequest(image, name, command, entrypoint, resolveEnv(env), workdir, user, hostname, tty, interactive, autoRemove, limits.resources(),
                storage(), restartPolicy(), health(), networking(), confinement(), logConfig(), labels(), new jbox.runtime.StopRule(stopSignal, stopTimeout), init);
    }

    /** --privileged, --cap-*, --security-opt, --device, --pid/--ipc/--uts/--cgroupns, --sysctl, --ulimit, --shm-size, --group-add, --oom-score-adj, --cgroup-parent. */
    private jbox.runtime.Confinement confinement() {
        try {
            java.util.Map<String, String> sysctl = new java.util.LinkedHashMap<>();
            for (String s : sysctls) {
                int eq = s.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("invalid --sysctl \"" + s + "\": write KEY=VALUE, e.g. net.ipv4.ip_forward=1");
                sysctl.put(s.substring(0, eq), s.substring(eq + 1));
            }
            return new jbox.runtime.Confinement(privileged, capAdd, capDrop, null, null, null, null,
                    devices.stream().map(jbox.runtime.Confinement.Device::parse).toList(), sysctl,
                    ulimits.stream().map(jbox.runtime.Confinement.Ulimit::parse).toList(), oomScoreAdj, groupAdd, pid, ipc, uts, cgroupns,
                    shmSize == null ? 0 : jbox.cgroup.Units.parseBytes(shmSize), cgroupParent).withSecurityOpts(securityOpts, ContainerOptions::profileFile);
        } catch (IllegalArgumentException e) {
            throw new jbox.sys.Failure(e.getMessage(), "a security or namespace flag has a value jbox cannot use", "check the flag (jbox run --help)");
        }
    }

    /** seccomp=FILE: the docker CLI sends the profile's text, not its name; so does jbox's. */
    private static String profileFile(String file) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("opening seccomp profile (" + file + ") failed: " + e.getMessage());
        }
    }

    private jbox.runtime.LogConfig logConfig() {
        try {
            java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
            for (String o : logOpts) {
                int eq = o.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("invalid --log-opt \"" + o + "\": write KEY=VALUE, e.g. max-size=10m");
                opts.put(o.substring(0, eq), o.substring(eq + 1));
            }
            return jbox.runtime.LogConfig.of(logDriver, opts);
        } catch (IllegalArgumentException e) {
            throw new jbox.sys.Failure(e.getMessage(), "the logging flags ask for what jbox does not do", "use --log-driver json-file|none and --log-opt max-size=, max-file=");
        }
    }

    /** --label-file's lines first, then --label, as docker reads them: KEY=VALUE, or KEY alone for an empty value. */
    private java.util.Map<String, String> labels() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        List<String> all = new ArrayList<>();
        for (java.nio.file.Path f : labelFiles) {
            try {
                for (String line : java.nio.file.Files.readAllLines(f)) if (!line.isBlank() && !line.trim().startsWith("#")) all.add(line.trim());
            } catch (java.io.IOException e) {
                throw new jbox.sys.Failure("cannot read the label file " + f + ": " + e.getMessage(), "it does not exist or is not readable", "check the path");
            }
        }
        all.addAll(labels);
        for (String l : all) {
            int eq = l.indexOf('=');
            out.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return out;
    }

    private jbox.net.Networking networking() {
        List<jbox.net.PortSpec> ports = new ArrayList<>();
        for (String p : publish) {
            try {
                ports.addAll(jbox.net.PortSpec.parse(p));
            } catch (IllegalArgumentException e) {
                throw new jbox.sys.Failure(e.getMessage(), "-p takes the host side, then the container's port", "e.g. -p 8080:80 or -p 127.0.0.1:8080:80/tcp");
            }
        }
        return new jbox.net.Networking(network == null ? jbox.net.Network.DEFAULT : network, ports, null, networkAliases);
    }

    private jbox.runtime.Health health() {
        if (noHealthcheck) return jbox.runtime.Health.NONE;
        if (healthCmd == null && healthInterval == null && healthTimeout == null && healthRetries == 0 && healthStartPeriod == null) return null;
        try {
            // Timings alone (no --health-cmd) change the image's HEALTHCHECK: an empty test means "the image's".
            return new jbox.runtime.Health(healthCmd == null ? List.of() : List.of("CMD-SHELL", healthCmd), duration(healthInterval), duration(healthTimeout), healthRetries,
                    duration(healthStartPeriod));
        } catch (IllegalArgumentException e) {
            throw new jbox.sys.Failure(e.getMessage(), "durations are numbers with a unit: ms, s, m, h", "e.g. --health-interval 5s");
        }
    }

    private static long duration(String text) { return text == null ? 0 : jbox.runtime.Health.parseDuration(text); }

    private jbox.runtime.Restart restartPolicy() {
        try {
            return jbox.runtime.Restart.parse(restart);
        } catch (IllegalArgumentException e) {
            throw new jbox.sys.Failure(e.getMessage(), "--restart takes no, on-failure[:N], always or unless-stopped", "e.g. --restart on-failure:3");
        }
    }

    /** -v, --mount, --tmpfs and --read-only, read by the same rules the daemon applies to docker's JSON. */
    private jbox.linux.Storage storage() {
        List<jbox.linux.Storage.Mount> all = new ArrayList<>();
        for (String v : volumes) {
            jbox.linux.Storage.Mount m = jbox.engine.StorageRules.volumeFlag(v);
            // a relative host path is relative to where the command runs, as docker's CLI makes it
            if (m.type() == jbox.linux.Storage.Type.BIND) {
                m = new jbox.linux.Storage.Mount(m.type(), java.nio.file.Path.of(m.source()).toAbsolutePath().normalize().toString(), m.target(),
                        m.readOnly(), m.options(), false, m.noCopy());
            }
            all.add(m);
        }
        for (String m : mounts) all.add(jbox.engine.StorageRules.mountFlag(m));
        for (String t : tmpfs) all.add(jbox.engine.StorageRules.tmpfsFlag(t));
        return new jbox.linux.Storage(all, readOnly);
    }

    /** -e NAME passes this shell's value of NAME, as docker does; the daemon never sees the client's environment. */
    static List<String> resolveEnv(List<String> flags) {
        List<String> out = new ArrayList<>();
        for (String e : flags) {
            if (e.contains("=")) out.add(e);
            else if (System.getenv(e) != null) out.add(e + "=" + System.getenv(e));
        }
        return out;
    }
}
