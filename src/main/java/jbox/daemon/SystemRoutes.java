package jbox.daemon;

import jbox.sys.Places;
import jbox.api.Versions;
import jbox.cgroup.Cgroups;
import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /_ping, /version, /info: what a client asks first. */
final class SystemRoutes {
    private final Engine engine;
    private final Map<String, Object> daemonFacts;

    /** @param daemonFacts how this daemon runs (pid, socket), shown by info */
    SystemRoutes(Engine engine, Map<String, Object> daemonFacts) {
        this.engine = engine;
        this.daemonFacts = daemonFacts;
    }

    void register(Router r) {
        r.add("GET", "/_ping", "SystemRoutes.ping", this::ping)
                .add("GET", "/version", "SystemRoutes.version", this::version)
                .add("GET", "/info", "SystemRoutes.info", this::info)
                .add("GET", "/system/df", "SystemRoutes.diskUsage", this::diskUsage);
    }

    private void diskUsage(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.json(200, DiskUsage.measure(engine));
    }

    private void ping(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.bytes(200, "text/plain; charset=utf-8", "OK".getBytes(StandardCharsets.US_ASCII));
    }

    private void version(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Platform", Map.of("Name", "jbox"));
        m.put("Components", List.of(Map.of("Name", "Engine", "Version", jbox.Version.NUMBER,
                "Details", Map.of("ApiVersion", Versions.API, "MinAPIVersion", Versions.MIN_API, "Os", "linux",
                        "Arch", goArch(), "KernelVersion", System.getProperty("os.version"), "GoVersion", "java" + System.getProperty("java.version"),
                        "Experimental", "false"))));
        m.put("Version", jbox.Version.NUMBER);
        m.put("ApiVersion", Versions.API);
        m.put("MinAPIVersion", Versions.MIN_API);
        m.put("GitCommit", "");
        m.put("GoVersion", "java" + System.getProperty("java.version"));
        m.put("Os", "linux");
        m.put("Arch", goArch());
        m.put("KernelVersion", System.getProperty("os.version"));
        m.put("BuildTime", "");
        ex.json(200, m);
    }

    private void info(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<ContainerState> all = engine.lifecycle().list(true);
        Cgroups cg = engine.cgroupLayout();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", "jbox");
        m.put("Containers", all.size());
        m.put("ContainersRunning", all.stream().filter(c -> c.status() == Status.RUNNING).count());
        m.put("ContainersPaused", all.stream().filter(c -> c.status() == Status.PAUSED).count());
        m.put("ContainersStopped", all.stream().filter(c -> !c.status().hasProcess()).count());
        m.put("Images", engine.images().list().size());
        m.put("Driver", "overlay2");
        m.put("DriverStatus", List.of());
        m.put("Plugins", Map.of("Volume", List.of(), "Network", List.of("none"), "Log", List.of("json-file")));
        m.put("MemoryLimit", true);
        m.put("SwapLimit", true);
        m.put("CpuCfsPeriod", true);
        m.put("CpuCfsQuota", true);
        m.put("CPUShares", true);
        m.put("CPUSet", true);
        m.put("PidsLimit", true);
        m.put("OomKillDisable", cg.canDisableOomKiller());
        m.put("IPv4Forwarding", false);
        m.put("Debug", false);
        m.put("NFd", 0);
        m.put("NGoroutines", Thread.activeCount());
        m.put("SystemTime", java.time.Instant.now().toString());
        m.put("LoggingDriver", "json-file");
        m.put("CgroupDriver", "cgroupfs");
        m.put("CgroupVersion", cg.mode().equals("v2") ? "2" : "1");
        m.put("KernelVersion", System.getProperty("os.version"));
        m.put("OperatingSystem", osName());
        m.put("OSType", "linux");
        m.put("Architecture", jbox.image.ImageBuilder.architecture());
        m.put("NCPU", Runtime.getRuntime().availableProcessors());
        m.put("MemTotal", jbox.sys.ProcFiles.memTotalBytes());
        m.put("DockerRootDir", engine.root().toString());
        m.put("Name", hostname());
        m.put("ServerVersion", jbox.Version.NUMBER);
        m.put("Runtimes", Map.of("jbox", Map.of("path", "jbox")));
        m.put("DefaultRuntime", "jbox");
        // What every container gets unless asked otherwise, in Docker's words: its built-in seccomp profile and,
        // on v2, a cgroup namespace of its own (docker info lists the same).
        List<String> security = new java.util.ArrayList<>(List.of("name=seccomp,profile=builtin"));
        if (cg.mode().equals("v2")) security.add("name=cgroupns");
        if (Places.rootless()) security.add("name=rootless");
        m.put("SecurityOptions", security);
        m.put("Swarm", Map.of("LocalNodeState", "inactive", "NodeID", "", "ControlAvailable", false));
        m.put("Warnings", List.of());
        Map<String, String> controllers = new LinkedHashMap<>();
        cg.controllers().forEach((c, where) -> controllers.put(c, String.valueOf(where)));
        m.put("JboxCgroupMode", cg.mode());
        m.put("JboxCgroupControllers", controllers);
        if (cg.unavailable() != null) m.put("JboxCgroupUnavailable", cg.unavailable().cause() + "; " + cg.unavailable().fix());
        m.put("JboxRootless", Places.rootless() ? Map.of("HostUid", Places.hostUid(), "UidMap", Places.uidMap(), "Network", "slirp4netns") : Map.of());
        m.put("JboxDaemon", daemonFacts);
        ex.json(200, m);
    }

    private static String goArch() { return jbox.image.ImageBuilder.architecture(); }

    private static String osName() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) return line.substring(12).replace("\"", "");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "Linux";
    }

    private static String hostname() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
