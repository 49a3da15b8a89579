package jbox.api;


import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Resources;
import jbox.engine.CreateRequest;
import jbox.image.Image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's JSON for a container to create, both ways: the body of POST /containers/create read into a CreateRequest, and written from one (jbox's client). */
public final class CreateJson {
    private CreateJson() {}

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
                host.isObject() ? ResourcesJson.resources(host) : Resources.NONE, StorageJson.fromCreate(b, host), restart(host.path("RestartPolicy")),
                health(b.get("Healthcheck")), NetworkJson.fromCreate(host, b.path("NetworkingConfig")), HostConfigJson.confinement(host), HostConfigJson.log(host),
                stringMap(b.path("Labels"), "Labels"), stopRule(b), host.path("Init").asBoolean(false));
    }

    /** Config.StopSignal and StopTimeout (null or absent: the image's signal, 10 s). */
    private static jbox.runtime.StopRule stopRule(JsonNode b) {
        String signal = b.path("StopSignal").asText("");
        JsonNode t = b.get("StopTimeout");
        if (t != null && !t.isNull() && !t.canConvertToInt()) throw ApiErrors.badRequest("StopTimeout must be a whole number of seconds");
        return new jbox.runtime.StopRule(signal.isEmpty() ? null : signal, t == null || t.isNull() ? null : t.asInt());
    }

    /** A JSON object of strings, such as Labels; null or absent is empty. */
    public static Map<String, String> stringMap(JsonNode n, String field) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (n == null || n.isNull() || n.isMissingNode()) return out;
        if (!n.isObject()) throw ApiErrors.badRequest(field + " must be a JSON object of strings");
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) throw ApiErrors.badRequest(field + "." + e.getKey() + " must be a string");
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    /** Config.Healthcheck: {"Test": ["CMD-SHELL", "..."], "Interval": ns, "Timeout": ns, "Retries": n, "StartPeriod": ns}. */
    private static jbox.runtime.Health health(JsonNode h) {
        if (h == null || h.isNull()) return null;
        List<String> test = h.has("Test") ? strings(h.get("Test")) : List.of(); // empty: timings over the image's HEALTHCHECK
        if (!test.isEmpty() && !List.of("CMD", "CMD-SHELL", "NONE").contains(test.get(0))) throw ApiErrors.badRequest("Healthcheck.Test must start with CMD, CMD-SHELL or NONE");
        return new jbox.runtime.Health(test, h.path("Interval").asLong(0), h.path("Timeout").asLong(0), h.path("Retries").asInt(0),
                h.path("StartPeriod").asLong(0));
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
        Map<String, Object> host = ResourcesJson.hostConfig(r.resources() == null ? Resources.NONE : r.resources(), r.autoRemove());
        StorageJson.toCreate(jbox.linux.Storage.orNone(r.storage()), host);
        NetworkJson.toCreate(r.network() == null ? jbox.net.Networking.DEFAULT : r.network(), host);
        host.put("RestartPolicy", ContainerJson.restartPolicy(jbox.runtime.Restart.orNo(r.restart())));
        HostConfigJson.toCreate(r.confinement() == null ? jbox.runtime.Confinement.DEFAULT : r.confinement(), jbox.runtime.LogConfig.orDefault(r.log()), host);
        if (r.init()) host.put("Init", true);
        m.put("HostConfig", host);
        if (r.labels() != null && !r.labels().isEmpty()) m.put("Labels", r.labels());
        if (r.stop() != null && r.stop().signal() != null) m.put("StopSignal", r.stop().signal());
        if (r.stop() != null && r.stop().timeout() != null) m.put("StopTimeout", r.stop().timeout());
        m.put("NetworkingConfig", NetworkJson.networkingConfig(r.network() == null ? jbox.net.Networking.DEFAULT : r.network()));
        if (r.health() != null) m.put("Healthcheck", ContainerJson.healthcheck(r.health()));
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
}
