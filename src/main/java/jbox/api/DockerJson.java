package jbox.api;

import jbox.text.Format;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Resources;
import jbox.cgroup.Usage;
import jbox.engine.CreateRequest;
import jbox.engine.Engine;
import jbox.image.Image;
import jbox.image.ImageSpec;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jbox's containers and images in the Docker Engine API's JSON shapes (the subset jbox has),
 * and create requests read back from them. The CLI prints from these same shapes, with or
 * without a daemon, so both print the same.
 */
public final class DockerJson {
    private DockerJson() {}

    // ---- containers ----

    /** GET /containers/json: one row of docker ps. */
    public static Map<String, Object> containerSummary(ContainerState c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Names", List.of("/" + c.name()));
        m.put("Image", c.image());
        m.put("ImageID", c.imageId());
        m.put("Command", String.join(" ", c.args()));
        m.put("Created", Instant.parse(c.created()).getEpochSecond());
        m.put("Ports", NetworkJson.summaryPorts(c));
        m.put("Labels", Map.of());
        m.put("State", stateName(c));
        m.put("Status", status(c));
        m.put("HostConfig", Map.of("NetworkMode", c.networking().mode()));
        m.put("NetworkSettings", Map.of("Networks", NetworkJson.networks(c)));
        m.put("Mounts", StorageJson.inspect(c.mounts(), null));
        return m;
    }

    /** State.Health as docker shows it. */
    static Map<String, Object> health(jbox.runtime.Health.State h) {
        List<Map<String, Object>> log = new ArrayList<>();
        for (jbox.runtime.Health.Result r : h.log()) log.add(Map.of("Start", r.start(), "End", r.end(), "ExitCode", r.exitCode(), "Output", r.output()));
        return Map.of("Status", h.status(), "FailingStreak", h.failingStreak(), "Log", log);
    }

    /** docker ps adds the health to STATUS: "Up 3 minutes (healthy)", "(health: starting)". */
    public static void addHealth(Map<String, Object> summary, jbox.runtime.Health.State h) {
        if (h == null || !String.valueOf(summary.get("Status")).startsWith("Up")) return;
        summary.put("Status", summary.get("Status") + (h.status().equals("starting") ? " (health: starting)" : " (" + h.status() + ")"));
    }

    /** docker ps's STATUS column. */
    static String status(ContainerState c) {
        return switch (c.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + Format.duration(java.time.Duration.between(Instant.parse(c.startedAt()), Instant.now()))
                    + (c.paused() ? " (Paused)" : "");
            case EXITED -> (restarting(c) ? "Restarting (" : "Exited (") + c.exitCode() + ") " + Format.ago(c.finishedAt())
                    + (c.oomKilled() ? " (" + OomMessage.shortForm(c.limits().memory()) + ")" : "");
        };
    }


    /** Exited, and the daemon will start it again after its back-off delay. */
    private static boolean restarting(ContainerState c) { return c.status() == Status.EXITED && c.restarts().pending(); }

    /** docker's State.Status: created, running, paused, restarting, exited. */
    private static String stateName(ContainerState c) { return c.paused() ? "paused" : restarting(c) ? "restarting" : c.status().wire(); }

    /** GET /containers/{id}/json. */
    public static Map<String, Object> containerInspect(Engine engine, ContainerState c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", c.created());
        m.put("Path", c.args().get(0));
        m.put("Args", c.args().subList(1, c.args().size()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", stateName(c));
        state.put("Running", c.status() == Status.RUNNING);
        state.put("Paused", c.paused());
        state.put("Restarting", restarting(c));
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error() == null ? "" : c.error());
        state.put("StartedAt", c.startedAt() == null ? "0001-01-01T00:00:00Z" : c.startedAt());
        state.put("FinishedAt", c.finishedAt() == null ? "0001-01-01T00:00:00Z" : c.finishedAt());
        jbox.runtime.Health.State health = c.health() == null ? null : engine.healthState(c.id());
        if (health != null) state.put("Health", health(health));
        m.put("State", state);
        m.put("Image", c.imageId());
        m.put("Name", "/" + c.name());
        var dir = engine.containers().dirOf(c.id());
        m.put("LogPath", dir.resolve("container-json.log").toString());
        m.put("RestartCount", 0);
        m.put("Driver", "overlay2");
        m.put("Platform", "linux");
        Map<String, Object> host = hostConfig(c.limits(), c.autoRemove());
        StorageJson.toCreate(c.mounts(), host);
        NetworkJson.toCreate(c.networking(), host);
        host.put("RestartPolicy", restartPolicy(c.restarts()));
        HostConfigJson.toCreate(c.confined(), c.logging(), host);
        m.put("HostConfig", host);
        m.put("RestartCount", c.restarts().count());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("LowerDir", String.join(":", c.layers().stream().map(l -> engine.root().resolve("layers").resolve(l.substring(7)).toString()).toList()));
        data.put("UpperDir", dir.resolve("upper").toString());
        data.put("WorkDir", dir.resolve("work").toString());
        data.put("MergedDir", dir.resolve("rootfs").toString());
        m.put("GraphDriver", Map.of("Name", "overlay", "Data", data));
        m.put("Mounts", StorageJson.inspect(c.mounts(), engine.volumes()));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", c.hostname());
        config.put("User", c.user());
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        config.put("Tty", c.tty());
        config.put("OpenStdin", c.openStdin());
        config.put("StdinOnce", false);
        config.put("Env", c.env());
        config.put("Cmd", c.args());
        config.put("Image", c.image());
        config.put("WorkingDir", c.workingDir());
        config.put("Entrypoint", null);
        config.put("Labels", Map.of());
        if (c.health() != null) config.put("Healthcheck", healthcheck(c.health()));
        m.put("Config", config);
        m.put("NetworkSettings", NetworkJson.settings(c));
        if (c.status() == Status.RUNNING) {
            try {
                Usage u = engine.usage(c);
                Map<String, Object> usage = new LinkedHashMap<>();
                usage.put("CpuNanos", u.cpuNanos());
                usage.put("MemoryUsage", u.memoryUsage());
                usage.put("MemoryMaxUsage", u.memoryMaxUsage());
                usage.put("MemoryLimit", u.memoryLimit());
                usage.put("Pids", u.pids());
                usage.put("PidsLimit", u.pidsLimit());
                usage.put("BlockRead", u.blockRead());
                usage.put("BlockWrite", u.blockWrite());
                usage.put("OomKills", u.oomKills());
                m.put("JboxUsage", usage); // what the cgroup counts now: the lessons read it
            } catch (RuntimeException e) {
                // it ended while we looked
            }
        }
        if (c.procMount() != null) m.put("JboxProcMount", c.procMount());
        return m;
    }

    static Map<String, Object> hostConfig(Resources r, boolean autoRemove) {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", autoRemove);
        host.put("Memory", r.memory() == null ? 0 : r.memory());
        host.put("MemorySwap", r.memorySwap() == null ? 0 : r.memorySwap());
        host.put("NanoCpus", r.cpuQuota() == null ? 0 : r.cpuQuota() * 1_000_000_000L / Resources.CPU_PERIOD);
        host.put("CpuShares", r.cpuShares() == null ? 0 : r.cpuShares());
        host.put("CpusetCpus", r.cpusetCpus() == null ? "" : r.cpusetCpus());
        host.put("PidsLimit", r.pidsLimit());
        host.put("BlkioWeight", r.blkioWeight() == null ? 0 : r.blkioWeight());
        host.put("BlkioDeviceReadBps", rates(r.deviceReadBps()));
        host.put("BlkioDeviceWriteBps", rates(r.deviceWriteBps()));
        return host;
    }

    /** POST /containers/{id}/update's body: the limits to change (unset ones stay as they are). */
    public static Map<String, Object> updateBody(Resources r) {
        Map<String, Object> m = hostConfig(r, false);
        m.remove("AutoRemove");
        return m;
    }

    private static List<Map<String, Object>> rates(List<Resources.DeviceRate> rates) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Resources.DeviceRate d : rates) out.add(Map.of("Path", d.path(), "Rate", d.bytesPerSecond()));
        return out;
    }

    /** The resources in a HostConfig (create) or an update body; absent and zero fields stay unset, as Docker reads them. */
    public static Resources resources(JsonNode h) {
        Long nano = positive(h, "NanoCpus");
        Long quota = h.path("CpuQuota").asLong(0) == -1 ? null : positive(h, "CpuQuota"); // -1: no quota, as in Docker
        Long period = positive(h, "CpuPeriod");
        if (nano != null && (quota != null || period != null)) {
            throw ApiErrors.badRequest("Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        }
        if (period != null && (period < 1000 || period > 1_000_000)) throw ApiErrors.badRequest("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        Long cpuQuota = null;
        if (nano != null) cpuQuota = nano / (1_000_000_000L / Resources.CPU_PERIOD);
        else if (quota != null) cpuQuota = java.math.BigInteger.valueOf(quota).multiply(java.math.BigInteger.valueOf(Resources.CPU_PERIOD))
                .divide(java.math.BigInteger.valueOf(period == null ? Resources.CPU_PERIOD : period)).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        JsonNode pids = h.get("PidsLimit");
        Long pidsLimit = null;
        if (pids != null && !pids.isNull() && pids.asLong() != 0) pidsLimit = pids.asLong() < 0 ? -1 : pids.asLong();
        Long memory = positive(h, "Memory");
        JsonNode swap = h.get("MemorySwap");
        if (swap != null && !swap.isNull() && !swap.canConvertToLong()) throw ApiErrors.badRequest("MemorySwap must be a whole number");
        Long memorySwap = swap == null || swap.isNull() || swap.asLong() == 0 ? null : Long.valueOf(swap.asLong());
        Long shares = positive(h, "CpuShares");
        String cpuset = h.path("CpusetCpus").asText("");
        Long weight = positive(h, "BlkioWeight");
        // checked by the engine, on a create's whole set or an update merged with what the container has
        return new Resources(memory, memorySwap, cpuQuota, shares, cpuset.isEmpty() ? null : cpuset, pidsLimit,
                weight == null ? null : (int) Math.min(weight, Integer.MAX_VALUE), deviceRates(h.get("BlkioDeviceReadBps")),
                deviceRates(h.get("BlkioDeviceWriteBps")));
    }

    /** A whole number that is 0 or more; 0 and absent mean unset, as Docker reads them; a negative one is refused, never dropped. */
    private static Long positive(JsonNode h, String field) {
        JsonNode n = h.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw ApiErrors.badRequest(field + " must be a whole number, not " + n);
        if (n.asLong() < 0) throw ApiErrors.badRequest(field + " can not be negative (" + n.asLong() + ")");
        return n.asLong() > 0 ? Long.valueOf(n.asLong()) : null;
    }

    private static List<Resources.DeviceRate> deviceRates(JsonNode list) {
        List<Resources.DeviceRate> out = new ArrayList<>();
        if (list == null || !list.isArray()) return out;
        for (JsonNode d : list) {
            try {
                out.add(Resources.DeviceRate.of(d.path("Path").asText(), d.path("Rate").asLong()));
            } catch (IllegalArgumentException e) {
                throw ApiErrors.badRequest(e.getMessage());
            }
        }
        return out;
    }

    private static final java.util.Set<String> CREATE_FIELDS = java.util.Set.of("Hostname", "Domainname", "User", "AttachStdin",
            "AttachStdout", "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped",
            "Image", "Volumes", "WorkingDir", "Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels", "StopSignal",
            "StopTimeout", "Shell", "HostConfig", "NetworkingConfig", "Platform");

    /**
     * POST /containers/create's body. A field jbox does not know is accepted only at its zero value
     * (clients send whole structs); set, it is refused, not silently dropped. Warnings go to warnings.
     */
    public static CreateRequest createRequest(String name, JsonNode b, List<String> warnings) {
        if (!b.isObject()) throw ApiErrors.badRequest("the create request must be a JSON object");
        b.fields().forEachRemaining(e -> {
            if (!CREATE_FIELDS.contains(e.getKey()) && !HostConfigJson.isZero(e.getValue())) {
                throw ApiErrors.badRequest("unknown field \"" + e.getKey() + "\" in the create request");
            }
        });
        for (String f : List.of("Domainname", "MacAddress")) {
            if (!b.path(f).asText("").isEmpty()) throw ApiErrors.badRequest(f + " is not supported by jbox: it would be ignored, so the container is refused");
        }
        if (b.path("NetworkDisabled").asBoolean(false)) throw ApiErrors.badRequest("NetworkDisabled is not supported by jbox: use HostConfig.NetworkMode \"none\"");
        String image = b.path("Image").asText("");
        if (image.isEmpty()) throw ApiErrors.badRequest("no image given (\"Image\" is empty)");
        JsonNode ep = b.get("Entrypoint");
        List<String> entry = strings(ep);
        List<String> cmd = strings(b.get("Cmd"));
        String entrypoint = ep == null || ep.isNull() ? null : entry.isEmpty() ? "" : entry.get(0);
        if (entry.size() > 1) {
            List<String> all = new ArrayList<>(entry.subList(1, entry.size()));
            all.addAll(cmd);
            cmd = all;
        }
        JsonNode host = b.path("HostConfig");
        warnings.addAll(HostConfigJson.check(host));
        return new CreateRequest(image, name == null || name.isEmpty() ? null : name, cmd, entrypoint, strings(b.get("Env")),
                emptyToNull(b.path("WorkingDir").asText("")), emptyToNull(b.path("User").asText("")), emptyToNull(b.path("Hostname").asText("")),
                b.path("Tty").asBoolean(false), b.path("OpenStdin").asBoolean(false), host.path("AutoRemove").asBoolean(false),
                host.isObject() ? resources(host) : Resources.NONE, StorageJson.fromCreate(b, host), restart(host.path("RestartPolicy")),
                health(b.get("Healthcheck")), NetworkJson.fromCreate(host), HostConfigJson.confinement(host), HostConfigJson.log(host));
    }


    /** Config.Healthcheck: {"Test": ["CMD-SHELL", "..."], "Interval": ns, "Timeout": ns, "Retries": n, "StartPeriod": ns}. */
    private static jbox.runtime.Health health(JsonNode h) {
        if (h == null || h.isNull()) return null;
        List<String> test = h.has("Test") ? strings(h.get("Test")) : List.of(); // empty: timings over the image's HEALTHCHECK
        if (!test.isEmpty() && !List.of("CMD", "CMD-SHELL", "NONE").contains(test.get(0))) throw ApiErrors.badRequest("Healthcheck.Test must start with CMD, CMD-SHELL or NONE");
        return new jbox.runtime.Health(test, h.path("Interval").asLong(0), h.path("Timeout").asLong(0), h.path("Retries").asInt(0),
                h.path("StartPeriod").asLong(0));
    }

    public static Map<String, Object> healthcheck(jbox.runtime.Health h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Test", h.test());
        m.put("Interval", h.intervalNs());
        m.put("Timeout", h.timeoutNs());
        m.put("Retries", h.retries());
        m.put("StartPeriod", h.startPeriodNs());
        return m;
    }

    /** HostConfig.RestartPolicy: {"Name": "on-failure", "MaximumRetryCount": 3}. */
    private static jbox.runtime.Restart restart(JsonNode p) {
        String name = p.path("Name").asText("");
        int max = p.path("MaximumRetryCount").asInt(0);
        try {
            return jbox.runtime.Restart.parse(name.equals("on-failure") && max > 0 ? name + ":" + max : name);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
    }

    private static Map<String, Object> restartPolicy(jbox.runtime.Restart r) {
        return Map.of("Name", r.isNo() ? "no" : r.policy(), "MaximumRetryCount", r.maxRetries());
    }

    /** The create body for a request, as jbox's CLI sends it. */
    public static Map<String, Object> createBody(CreateRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Image", r.image());
        m.put("Cmd", r.command());
        if (r.entrypoint() != null) m.put("Entrypoint", r.entrypoint().isEmpty() ? List.of() : List.of(r.entrypoint()));
        m.put("Env", r.env());
        if (r.workingDir() != null) m.put("WorkingDir", r.workingDir());
        if (r.user() != null) m.put("User", r.user());
        if (r.hostname() != null) m.put("Hostname", r.hostname());
        m.put("Tty", r.tty());
        m.put("OpenStdin", r.interactive());
        m.put("AttachStdin", r.interactive());
        m.put("AttachStdout", true);
        m.put("AttachStderr", true);
        Map<String, Object> host = hostConfig(r.resources() == null ? Resources.NONE : r.resources(), r.autoRemove());
        StorageJson.toCreate(jbox.linux.Storage.orNone(r.storage()), host);
        NetworkJson.toCreate(r.network() == null ? jbox.net.Networking.DEFAULT : r.network(), host);
        host.put("RestartPolicy", restartPolicy(jbox.runtime.Restart.orNo(r.restart())));
        HostConfigJson.toCreate(r.confinement() == null ? jbox.runtime.Confinement.DEFAULT : r.confinement(), jbox.runtime.LogConfig.orDefault(r.log()), host);
        m.put("HostConfig", host);
        if (r.health() != null) m.put("Healthcheck", healthcheck(r.health()));
        return m;
    }

    public static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (n.isTextual()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) throw ApiErrors.badRequest("expected a list of strings, got " + n.getNodeType());
        for (JsonNode s : n) out.add(s.asText());
        return out;
    }

    private static String emptyToNull(String s) { return s.isEmpty() ? null : s; }

    // ---- usage ----

    /** GET /containers/{id}/stats?stream=0, the fields docker stats reads. */
    public static Map<String, Object> stats(ContainerState c, Usage u, long hostMemory, int cpus) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("read", Instant.now().toString());
        m.put("name", "/" + c.name());
        m.put("id", c.id());
        long systemNanos = System.nanoTime();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("cpu_usage", Map.of("total_usage", u == null ? 0 : u.cpuNanos()));
        cpu.put("system_cpu_usage", systemNanos * cpus);
        cpu.put("online_cpus", cpus);
        m.put("cpu_stats", cpu);
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("usage", u == null ? 0 : u.memoryUsage());
        mem.put("max_usage", u == null ? 0 : u.memoryMaxUsage());
        mem.put("limit", u == null ? 0 : u.memoryLimit() <= 0 ? hostMemory : Math.min(u.memoryLimit(), hostMemory));
        mem.put("failcnt", u == null ? 0 : u.oomKills());
        m.put("memory_stats", mem);
        m.put("pids_stats", Map.of("current", u == null ? 0 : u.pids(), "limit", u == null ? 0 : u.pidsLimit()));
        List<Map<String, Object>> io = new ArrayList<>();
        io.add(Map.of("major", 0, "minor", 0, "op", "read", "value", u == null ? 0 : u.blockRead()));
        io.add(Map.of("major", 0, "minor", 0, "op", "write", "value", u == null ? 0 : u.blockWrite()));
        m.put("blkio_stats", Map.of("io_service_bytes_recursive", io));
        m.put("networks", Map.of());
        return m;
    }

    // ---- images ----

    /** GET /images/json: one row of docker images. */
    public static Map<String, Object> imageSummary(Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("ParentId", "");
        m.put("RepoTags", i.reference() == null ? List.of() : List.of(i.reference().familiar()));
        m.put("RepoDigests", i.reference() == null ? List.of() : List.of(i.reference().familiarRepository() + "@" + i.manifestDigest()));
        m.put("Created", i.config().created() == null ? 0 : Instant.parse(i.config().created()).getEpochSecond());
        m.put("Size", i.size());
        m.put("SharedSize", -1);
        m.put("VirtualSize", i.size());
        m.put("Labels", i.containerConfig().labels() == null ? Map.of() : i.containerConfig().labels());
        m.put("Containers", -1);
        return m;
    }

    /** GET /images/{name}/json. */
    public static Map<String, Object> imageInspect(Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("RepoTags", i.reference() == null ? List.of() : List.of(i.reference().familiar()));
        m.put("RepoDigests", i.reference() == null ? List.of() : List.of(i.reference().familiarRepository() + "@" + i.manifestDigest()));
        m.put("Created", i.config().created());
        m.put("Architecture", i.config().architecture());
        m.put("Os", i.config().os());
        m.put("Size", i.size());
        ImageSpec.ContainerConfig cc = i.containerConfig();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("User", cc.user() == null ? "" : cc.user());
        config.put("Env", cc.env());
        config.put("Cmd", cc.cmd());
        config.put("Entrypoint", cc.entrypoint());
        config.put("WorkingDir", cc.workingDir() == null ? "" : cc.workingDir());
        config.put("Labels", cc.labels());
        if (cc.exposedPorts() != null) config.put("ExposedPorts", cc.exposedPorts());
        if (cc.stopSignal() != null) config.put("StopSignal", cc.stopSignal());
        if (cc.volumes() != null) config.put("Volumes", cc.volumes());
        if (cc.healthcheck() != null) config.put("Healthcheck", cc.healthcheck());
        m.put("Config", config);
        m.put("Author", i.config().author() == null ? "" : i.config().author());
        m.put("RootFS", Map.of("Type", "layers", "Layers", i.config().rootfs().diffIds()));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("Digest", i.manifestDigest().toString());
        manifest.put("Config", i.manifest().config().digest());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (ImageSpec.Descriptor l : i.manifest().layers()) layers.add(Map.of("MediaType", l.mediaType(), "Digest", l.digest(), "Size", l.size()));
        manifest.put("Layers", layers);
        m.put("Manifest", manifest);
        return m;
    }
}
