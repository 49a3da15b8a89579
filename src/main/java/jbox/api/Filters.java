package jbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The filters query parameter of docker's list, prune and events routes:
 * {"label": ["a=b"], "status": ["running"]}, or the older {"label": {"a=b": true}} form.
 * Values of one key match if any matches (label: if all match, as docker); keys must all match.
 * A key the route does not know is refused, as dockerd refuses it, never ignored.
 */
public final class Filters {
    public static final Filters NONE = new Filters(Map.of());

    private final Map<String, List<String>> values;

    private Filters(Map<String, List<String>> values) { this.values = values; }

    /** The query's filters, each key one of allowed. */
    public static Filters parse(String json, Set<String> allowed) {
        if (json == null || json.isBlank()) return NONE;
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw ApiErrors.badRequest("invalid filters: not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (!n.isObject()) throw ApiErrors.badRequest("invalid filters: expected a JSON object of lists");
        Map<String, List<String>> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            if (!allowed.contains(e.getKey())) {
                throw ApiErrors.badRequest("invalid filter '" + e.getKey() + "' (this list takes " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
            List<String> vs = new ArrayList<>();
            if (e.getValue().isArray()) e.getValue().forEach(v -> vs.add(v.asText()));
            else if (e.getValue().isObject()) e.getValue().fields().forEachRemaining(v -> { if (v.getValue().asBoolean(false)) vs.add(v.getKey()); });
            else throw ApiErrors.badRequest("invalid filter '" + e.getKey() + "': expected a list of strings");
            if (!vs.isEmpty()) out.put(e.getKey(), vs);
        });
        return new Filters(out);
    }

    /** Builds the query value from KEY=VALUE strings, as docker's --filter flags give them. */
    public static String toQuery(List<String> flags) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String f : flags) {
            int eq = f.indexOf('=');
            if (eq <= 0) throw new jbox.sys.Failure("bad format of filter \"" + f + "\" (expected name=value)", null, "e.g. --filter status=running");
            m.computeIfAbsent(f.substring(0, eq).trim().toLowerCase(), k -> new ArrayList<>()).add(f.substring(eq + 1));
        }
        return new String(Json.bytes(m), java.nio.charset.StandardCharsets.UTF_8);
    }

    public boolean isEmpty() { return values.isEmpty(); }

    public boolean has(String key) { return values.containsKey(key); }

    public List<String> get(String key) { return values.getOrDefault(key, List.of()); }

    /** True when the key is absent or one of its values passes. */
    public boolean any(String key, Predicate<String> test) {
        List<String> vs = values.get(key);
        return vs == null || vs.stream().anyMatch(test);
    }

    /** label=KEY and label=KEY=VALUE all hold; label!=... (prune) all fail. */
    public boolean labels(Map<String, String> labels) {
        for (String l : get("label")) if (!label(l, labels)) return false;
        for (String l : get("label!")) if (label(l, labels)) return false;
        return true;
    }

    private static boolean label(String filter, Map<String, String> labels) {
        int eq = filter.indexOf('=');
        if (eq < 0) return labels.containsKey(filter);
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }

    /** The prunes' keys: until, label and label!. */
    public static final Set<String> PRUNE = Set.of("until", "label", "label!");

    /**
     * The prunes' until=: a duration ago (10m, 1h30m), unix seconds or an RFC 3339 time, as dockerd
     * reads it; whether something created at createdIso is older (true when the filter is absent).
     */
    public boolean createdBefore(String createdIso) {
        List<String> vs = get("until");
        if (vs.isEmpty()) return true;
        String v = vs.get(vs.size() - 1).trim();
        java.time.Instant ago = Timestamps.durationAgo(v, java.time.Instant.now());
        long limit = ago != null ? ago.getEpochSecond() * 1_000_000_000L + ago.getNano() : Timestamps.apiNanos(v, "until");
        if (createdIso == null || createdIso.isEmpty()) return true;
        java.time.Instant c = java.time.Instant.parse(createdIso);
        return c.getEpochSecond() * 1_000_000_000L + c.getNano() < limit;
    }

    /** One boolean filter (dangling=true): its value, or null when absent; anything but true/false/1/0 is refused. */
    public Boolean bool(String key) {
        List<String> vs = get(key);
        if (vs.isEmpty()) return null;
        String v = vs.get(vs.size() - 1).toLowerCase();
        if (v.equals("true") || v.equals("1")) return true;
        if (v.equals("false") || v.equals("0")) return false;
        throw ApiErrors.badRequest("invalid filter '" + key + "=" + v + "': expected true or false");
    }
}
