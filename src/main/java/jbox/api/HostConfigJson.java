package jbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.runtime.Confinement;
import jbox.runtime.LogConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HostConfig in a create request, field by field. API clients send the whole struct, so every field
 * Docker has is accounted for here: read and carried out, accepted only at its zero value (null,
 * "", 0, false, [] or {}) because jbox does not do what it asks, or accepted and ignored because
 * Docker itself ignores it. A field with a value jbox cannot honour is refused with a 400 naming it;
 * nothing is accepted and silently dropped.
 */
final class HostConfigJson {
    private HostConfigJson() {}

    /** Read by StorageJson, NetworkJson, ResourcesJson and CreateJson (resources, restart policy, auto-remove) or below. */
    private static final Set<String> CARRIED_OUT = Set.of("Binds", "Mounts", "Tmpfs", "ReadonlyRootfs", "NetworkMode", "PortBindings",
            "RestartPolicy", "AutoRemove", "Init", "Memory", "MemorySwap", "NanoCpus", "CpuQuota", "CpuPeriod", "CpuShares", "CpusetCpus",
            "PidsLimit", "BlkioWeight", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "Privileged", "CapAdd", "CapDrop", "SecurityOpt",
            "Devices", "PidMode", "IpcMode", "UTSMode", "CgroupnsMode", "Sysctls", "Ulimits", "OomScoreAdj", "GroupAdd", "ShmSize",
            "MaskedPaths", "ReadonlyPaths", "CgroupParent", "LogConfig", "UsernsMode", "MemoryReservation", "MemorySwappiness",
            "OomKillDisable", "CpusetMems", "CpuRealtimeRuntime", "CpuRealtimePeriod");

    /** Docker ignores these (client-side, or deprecated and dropped with a warning): accepted whatever their value. */
    private static final Set<String> IGNORED_BY_DOCKER = Set.of("ContainerIDFile", "KernelMemory", "KernelMemoryTCP");

    /** What each field jbox does not carry out asks for, for the refusal. */
    private static final Map<String, String> NOT_DONE = Map.ofEntries(
            Map.entry("VolumeDriver", "volume plugins"), Map.entry("VolumesFrom", "--volumes-from"), Map.entry("Dns", "--dns"),
            Map.entry("DnsOptions", "--dns-option"), Map.entry("DnsSearch", "--dns-search"), Map.entry("ExtraHosts", "--add-host"),
            Map.entry("Links", "--link (legacy links; use a user network)"), Map.entry("PublishAllPorts", "-P (publish all exposed ports)"),
            Map.entry("Cgroup", "--cgroup (the legacy cgroup mode)"), Map.entry("Runtime", "another runtime"), Map.entry("Isolation", "isolation technologies (Windows)"),
            Map.entry("CpuCount", "CPU count (Windows)"), Map.entry("CpuPercent", "CPU percent (Windows)"),
            Map.entry("IOMaximumIOps", "IO limits (Windows)"), Map.entry("IOMaximumBandwidth", "IO limits (Windows)"),
            Map.entry("DeviceCgroupRules", "--device-cgroup-rule"), Map.entry("DeviceRequests", "--gpus"),
            Map.entry("BlkioWeightDevice", "--blkio-weight-device"),
            Map.entry("BlkioDeviceReadIOps", "--device-read-iops"), Map.entry("BlkioDeviceWriteIOps", "--device-write-iops"),
            Map.entry("Annotations", "annotations"), Map.entry("ConsoleSize", "an initial terminal size (the client's resize sets it)"));

    /** Refuses what jbox would otherwise take and not do; returns the warnings for what Docker ignores too. */
    static List<String> check(JsonNode host) {
        List<String> warnings = new ArrayList<>();
        if (host.isMissingNode() || host.isNull()) return warnings;
        if (!host.isObject()) throw ApiErrors.badRequest("HostConfig must be a JSON object");
        host.fields().forEachRemaining(e -> {
            String field = e.getKey();
            JsonNode v = e.getValue();
            if (CARRIED_OUT.contains(field)) return;
            if (IGNORED_BY_DOCKER.contains(field)) {
                if (field.startsWith("KernelMemory") && !isZero(v)) warnings.add("WARNING: " + field + " is deprecated and ignored, as Docker ignores it");
                return;
            }
            if (isZero(v) || isDefault(field, v)) return;
            String what = NOT_DONE.get(field);
            throw ApiErrors.badRequest("HostConfig." + field + " is not supported by jbox" + (what == null ? "" : " (" + what + ")")
                    + ": it would be ignored, so the container is refused; send it empty or leave it out");
        });
        String userns = host.path("UsernsMode").asText("");
        if (!userns.isEmpty() && !userns.equals("host")) {
            throw ApiErrors.badRequest("HostConfig.UsernsMode \"" + userns + "\" is not supported by jbox: its containers run in the host's user namespace");
        }
        return warnings;
    }

    /** Values that ask for nothing beyond what every container gets. */
    private static boolean isDefault(String field, JsonNode v) {
        return switch (field) {
            case "Isolation" -> v.asText().equals("default");
            case "Runtime" -> v.asText().equals("runc");
            case "VolumeDriver" -> v.asText().equals("local");
            default -> false;
        };
    }

    /** Go's zero values as JSON: what a client sends for a field it did not set. */
    static boolean isZero(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return true;
        if (v.isTextual()) return v.asText().isEmpty();
        if (v.isNumber()) return v.asDouble() == 0;
        if (v.isBoolean()) return !v.asBoolean();
        if (v.isArray() || v.isObject()) {
            for (JsonNode c : v) if (!isZero(c)) return false;
            return true;
        }
        return false;
    }

    /** The security fields: capabilities, seccomp and the other --security-opt values, devices, shared namespaces and the rest. */
    static Confinement confinement(JsonNode host) {
        try {
            List<Confinement.Device> devices = new ArrayList<>();
            for (JsonNode d : host.path("Devices")) {
                devices.add(Confinement.Device.of(d.path("PathOnHost").asText(""), d.path("PathInContainer").asText(""), d.path("CgroupPermissions").asText("")));
            }
            Map<String, String> sysctls = new LinkedHashMap<>();
            host.path("Sysctls").fields().forEachRemaining(e -> sysctls.put(e.getKey(), e.getValue().asText()));
            List<Confinement.Ulimit> ulimits = new ArrayList<>();
            for (JsonNode u : host.path("Ulimits")) ulimits.add(Confinement.Ulimit.of(u.path("Name").asText(""), u.path("Soft").asLong(), u.path("Hard").asLong()));
            Confinement c = new Confinement(host.path("Privileged").asBoolean(false), CreateJson.strings(host.get("CapAdd")),
                    CreateJson.strings(host.get("CapDrop")), null, null, paths(host.get("MaskedPaths")), paths(host.get("ReadonlyPaths")), devices,
                    sysctls, ulimits, host.path("OomScoreAdj").asInt(0), CreateJson.strings(host.get("GroupAdd")), host.path("PidMode").asText(""),
                    host.path("IpcMode").asText(""), host.path("UTSMode").asText(""), host.path("CgroupnsMode").asText(""),
                    host.path("ShmSize").asLong(0), host.path("CgroupParent").asText(""));
            return c.withSecurityOpts(CreateJson.strings(host.get("SecurityOpt")), null);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
    }

    /** MaskedPaths and ReadonlyPaths: absent or null keeps Docker's lists; a list (even empty) replaces them. */
    private static List<String> paths(JsonNode n) {
        if (n == null || n.isNull()) return null;
        List<String> out = CreateJson.strings(n);
        for (String p : out) if (!p.startsWith("/")) throw new IllegalArgumentException("the path \"" + p + "\" must be absolute");
        return out;
    }

    static LogConfig log(JsonNode host) {
        JsonNode l = host.path("LogConfig");
        Map<String, String> options = new LinkedHashMap<>();
        l.path("Config").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        try {
            return LogConfig.of(l.path("Type").asText(""), options);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
    }

    /** The same fields as jbox's CLI sends them. */
    static void toCreate(Confinement c, LogConfig log, Map<String, Object> host) {
        host.put("Privileged", c.privileged());
        host.put("CapAdd", c.capAdd());
        host.put("CapDrop", c.capDrop());
        host.put("SecurityOpt", c.securityOpts());
        if (c.maskedPaths() != null) host.put("MaskedPaths", c.maskedPaths());
        if (c.readonlyPaths() != null) host.put("ReadonlyPaths", c.readonlyPaths());
        List<Map<String, Object>> devices = new ArrayList<>();
        for (Confinement.Device d : c.devices()) devices.add(Map.of("PathOnHost", d.pathOnHost(), "PathInContainer", d.pathInContainer(), "CgroupPermissions", d.permissions()));
        host.put("Devices", devices);
        host.put("Sysctls", c.sysctls());
        List<Map<String, Object>> ulimits = new ArrayList<>();
        for (Confinement.Ulimit u : c.ulimits()) ulimits.add(Map.of("Name", u.name(), "Soft", u.soft(), "Hard", u.hard()));
        host.put("Ulimits", ulimits);
        host.put("OomScoreAdj", c.oomScoreAdj());
        host.put("GroupAdd", c.groupAdd());
        host.put("PidMode", c.pidMode());
        host.put("IpcMode", c.ipcMode());
        host.put("UTSMode", c.utsMode());
        host.put("CgroupnsMode", c.cgroupnsMode());
        host.put("ShmSize", c.shmSize());
        host.put("CgroupParent", c.cgroupParent());
        Map<String, String> opts = new LinkedHashMap<>();
        if (log.keepsLogs()) {
            opts.put("max-size", String.valueOf(log.maxBytes()));
            opts.put("max-file", String.valueOf(log.maxFiles()));
        }
        host.put("LogConfig", Map.of("Type", log.driver(), "Config", opts));
    }
}
