package jbox.api;

import jbox.text.Format;

import jbox.cgroup.Usage;
import jbox.engine.Engine;
import jbox.image.Image;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's JSON for a container as Docker shows it: the ps summary, inspect, stats. */
public final class ContainerJson {
    private ContainerJson() {}

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
        m.put("Labels", c.labels());
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
            case RUNNING, PAUSED -> "Up " + Format.duration(java.time.Duration.between(Instant.parse(c.startedAt()), Instant.now()))
                    + (c.status() == Status.PAUSED ? " (Paused)" : "");
            case EXITED, RESTARTING -> (restarting(c) ? "Restarting (" : "Exited (") + c.exitCode() + ") " + Format.ago(c.finishedAt())
                    + (c.oomKilled() ? " (" + OomMessage.shortForm(c.limits().memory()) + ")" : "");
        };
    }

    /** Exited, and the daemon will start it again after its back-off delay. */
    private static boolean restarting(ContainerState c) { return c.status() == Status.RESTARTING; }

    /** docker's State.Status: created, running, paused, restarting, exited. */
    private static String stateName(ContainerState c) { return c.status().wire(); }

    /** GET /containers/{id}/json. */
    public static Map<String, Object> containerInspect(Engine engine, ContainerState c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", c.created());
        m.put("Path", c.args().get(0));
        m.put("Args", c.args().subList(1, c.args().size()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", stateName(c));
        state.put("Running", c.status().hasProcess());
        state.put("Paused", c.status() == Status.PAUSED);
        state.put("Restarting", restarting(c));
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error() == null ? "" : c.error());
        state.put("StartedAt", c.startedAt() == null ? "0001-01-01T00:00:00Z" : c.startedAt());
        state.put("FinishedAt", c.finishedAt() == null ? "0001-01-01T00:00:00Z" : c.finishedAt());
        jbox.runtime.Health.State health = c.health() == null ? null : engine.health().healthState(c.id());
        if (health != null) state.put("Health", health(health));
        m.put("State", state);
        m.put("Image", c.imageId());
        m.put("Name", "/" + c.name());
        var dir = engine.containers().dirOf(c.id());
        m.put("LogPath", dir.resolve("container-json.log").toString());
        m.put("RestartCount", 0);
        m.put("Driver", "overlay2");
        m.put("Platform", "linux");
        Map<String, Object> host = ResourcesJson.hostConfig(c.limits(), c.autoRemove());
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
        data.put("MergedDir", engine.mountPoint().toString()); // every container's root is mounted there, each in its own mount namespace
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
        config.put("Labels", c.labels());
        config.put("StopSignal", c.stopRule().signal() == null ? "SIGTERM" : c.stopRule().signal());
        if (c.stopRule().timeout() != null) config.put("StopTimeout", c.stopRule().timeout());
        if (c.health() != null) config.put("Healthcheck", healthcheck(c.health()));
        m.put("Config", config);
        m.put("NetworkSettings", NetworkJson.settings(c));
        if (c.status().hasProcess()) {
            try {
                Usage u = engine.tasks().usage(c);
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

    public static Map<String, Object> healthcheck(jbox.runtime.Health h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Test", h.test());
        m.put("Interval", h.intervalNs());
        m.put("Timeout", h.timeoutNs());
        m.put("Retries", h.retries());
        m.put("StartPeriod", h.startPeriodNs());
        return m;
    }

    static Map<String, Object> restartPolicy(jbox.runtime.Restart r) {
        return Map.of("Name", r.isNo() ? "no" : r.policy(), "MaximumRetryCount", r.maxRetries());
    }

    /** GET /containers/{id}/stats?stream=0, the fields docker stats reads. */
    public static Map<String, Object> stats(ContainerState c, Usage u, long hostMemory, int cpus) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("read", Instant.now().toString());
        m.put("name", "/" + c.name());
        m.put("id", c.id());
        long systemNanos = System.nanoTime();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("cpu_usage", Map.of("total_usage", u == null ? 0 : Math.max(0, u.cpuNanos())));
        cpu.put("system_cpu_usage", systemNanos * cpus);
        cpu.put("online_cpus", cpus);
        m.put("cpu_stats", cpu);
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("usage", u == null ? 0 : Math.max(0, u.memoryUsage()));
        mem.put("max_usage", u == null ? 0 : Math.max(0, u.memoryMaxUsage()));
        mem.put("limit", u == null ? 0 : u.memoryLimit() <= 0 ? hostMemory : Math.min(u.memoryLimit(), hostMemory));
        mem.put("failcnt", u == null ? 0 : Math.max(0, u.oomKills()));
        m.put("memory_stats", mem);
        // Go's client reads these as unsigned: an unknown value is 0 and no limit is no field (-1 fails the whole decode)
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("current", u == null ? 0 : Math.max(0, u.pids()));
        if (u != null && u.pidsLimit() > 0) pids.put("limit", u.pidsLimit());
        m.put("pids_stats", pids);
        List<Map<String, Object>> io = new ArrayList<>();
        io.add(Map.of("major", 0, "minor", 0, "op", "read", "value", u == null ? 0 : Math.max(0, u.blockRead())));
        io.add(Map.of("major", 0, "minor", 0, "op", "write", "value", u == null ? 0 : Math.max(0, u.blockWrite())));
        m.put("blkio_stats", Map.of("io_service_bytes_recursive", io));
        m.put("networks", Map.of());
        return m;
    }
}
