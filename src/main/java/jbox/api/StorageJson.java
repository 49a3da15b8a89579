package jbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.sys.Failure;
import jbox.engine.StorageRules;
import jbox.engine.Volumes;
import jbox.linux.Storage;
import jbox.linux.Storage.Mount;
import jbox.linux.Storage.Type;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Mounts in Docker's JSON: what the docker CLI sends (HostConfig.Binds for -v, Config.Volumes for an
 * anonymous -v /path, HostConfig.Mounts for --mount, HostConfig.Tmpfs, ReadonlyRootfs), and the
 * "Mounts" list docker inspect shows.
 */
public final class StorageJson {
    private StorageJson() {}

    public static Storage fromCreate(JsonNode body, JsonNode host) {
        List<Mount> mounts = new ArrayList<>();
        try {
            for (String b : CreateJson.strings(host.get("Binds"))) mounts.add(StorageRules.volumeFlag(b));
            JsonNode anonymous = body.get("Volumes");
            if (anonymous != null && anonymous.isObject()) anonymous.fieldNames().forEachRemaining(t -> {
                if (mounts.stream().noneMatch(m -> m.target().equals(t))) mounts.add(StorageRules.volumeFlag(t));
            });
            JsonNode list = host.get("Mounts");
            if (list != null && list.isArray()) for (JsonNode m : list) mounts.add(mount(m));
            JsonNode tmpfs = host.get("Tmpfs");
            if (tmpfs != null && tmpfs.isObject()) tmpfs.fields().forEachRemaining(e -> {
                String opts = e.getValue().asText("");
                mounts.add(StorageRules.tmpfsFlag(opts.isEmpty() ? e.getKey() : e.getKey() + ":" + opts));
            });
        } catch (Failure e) {
            throw ApiErrors.badRequest(e.getMessage() + ": " + e.likelyCause());
        }
        return new Storage(List.copyOf(mounts), host.path("ReadonlyRootfs").asBoolean(false));
    }

    private static Mount mount(JsonNode m) {
        String type = m.path("Type").asText("volume").toLowerCase(Locale.ROOT);
        String source = m.path("Source").asText("");
        String target = m.path("Target").asText("");
        boolean ro = m.path("ReadOnly").asBoolean(false);
        StringBuilder spec = new StringBuilder("type=" + type + ",target=" + target);
        if (!source.isEmpty()) spec.append(",source=").append(source);
        if (ro) spec.append(",readonly");
        JsonNode t = m.path("TmpfsOptions");
        if (t.path("SizeBytes").asLong(0) > 0) spec.append(",tmpfs-size=").append(t.path("SizeBytes").asLong());
        if (t.path("Mode").asInt(0) > 0) spec.append(",tmpfs-mode=").append(Integer.toOctalString(t.path("Mode").asInt()));
        if (m.path("VolumeOptions").path("NoCopy").asBoolean(false)) spec.append(",volume-nocopy");
        return StorageRules.mountFlag(spec.toString());
    }

    /** HostConfig.Mounts and ReadonlyRootfs, as jbox's CLI sends every mount. */
    public static void toCreate(Storage s, Map<String, Object> host) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Mount m : s.mounts()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("Type", m.type().name().toLowerCase(Locale.ROOT));
            if (m.source() != null && !m.source().isEmpty()) j.put("Source", m.source());
            j.put("Target", m.target());
            j.put("ReadOnly", m.readOnly());
            if (m.noCopy()) j.put("VolumeOptions", Map.of("NoCopy", true));
            if (m.type() == Type.TMPFS && m.options() != null) {
                Map<String, Object> t = new LinkedHashMap<>();
                for (String o : m.options().split(",")) {
                    if (o.startsWith("size=")) t.put("SizeBytes", bytes(o.substring(5)));
                    if (o.startsWith("mode=")) t.put("Mode", Integer.parseInt(o.substring(5), 8));
                }
                j.put("TmpfsOptions", t);
            }
            list.add(j);
        }
        host.put("Mounts", list);
        host.put("ReadonlyRootfs", s.readOnlyRootfs());
    }

    private static long bytes(String size) {
        char unit = Character.toLowerCase(size.charAt(size.length() - 1));
        long n = Long.parseLong(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1));
        return switch (unit) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }

    /** docker inspect's "Mounts" (volumes may be null: ps shows no host paths). */
    public static List<Map<String, Object>> inspect(Storage s, Volumes volumes) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Mount m : s.mounts()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("Type", m.type().name().toLowerCase(Locale.ROOT));
            if (m.type() == Type.VOLUME) j.put("Name", m.source());
            j.put("Source", m.type() == Type.VOLUME ? (volumes == null ? "" : volumes.dataDir(m.source()).toString()) : m.type() == Type.BIND ? m.source() : "");
            j.put("Destination", m.target());
            j.put("Mode", m.type() == Type.TMPFS ? m.options() : m.readOnly() ? "ro" : "");
            j.put("RW", !m.readOnly());
            j.put("Propagation", m.type() == Type.BIND ? "rprivate" : "");
            out.add(j);
        }
        return out;
    }
}
