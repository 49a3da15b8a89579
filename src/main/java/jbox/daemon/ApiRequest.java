package jbox.daemon;

import jbox.api.ApiErrors;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP request as the router sees it. The Docker API version prefix (/v1.41/...) is taken
 * off the path and kept in version.
 */
public final class ApiRequest {
    private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$");

    public final String method;
    public final String target;
    public final String path;
    public final String version;
    public final Map<String, String> query;
    /** Every value of each query parameter (docker save sends names=a&names=b). */
    public final Map<String, List<String>> queryAll = new LinkedHashMap<>();
    public final Map<String, String> headers;
    public final byte[] body;
    /** The body as it arrives, for uploads too big to hold (docker load); null otherwise, and body is empty then. */
    public final java.io.InputStream stream;

    /** @param headers with lower-case names */
    public ApiRequest(String method, String target, Map<String, String> headers, byte[] body) { this(method, target, headers, body, null); }

    public ApiRequest(String method, String target, Map<String, String> headers, byte[] body, java.io.InputStream stream) {
        this.stream = stream;
        this.method = method;
        this.target = target;
        this.headers = headers;
        this.body = body;
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        this.query = parseQuery(q < 0 ? "" : target.substring(q + 1), queryAll);
        Matcher m = VERSIONED.matcher(rawPath);
        this.version = m.matches() ? m.group(1) : null;
        this.path = m.matches() ? m.group(2) : rawPath;
    }

    private static Map<String, String> parseQuery(String q, Map<String, List<String>> all) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : q.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
            all.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v);
        }
        return out;
    }

    public String query(String name, String dflt) { return query.getOrDefault(name, dflt); }

    /** A percent-encoded path segment as the client meant it ("my%20box" is "my box"; a '+' stays a '+' in a path). */
    public static String decodeSegment(String s) {
        if (s.indexOf('%') < 0) return s;
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray '%': the name as sent, which no container has
        }
    }

    /** Docker's boolean query values: 1, true, True; an empty value counts as set for some clients. */
    public boolean flag(String name) {
        String v = query.get(name);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    public int intQuery(String name, int dflt) {
        Integer v = intQuery(name);
        return v == null ? dflt : v;
    }

    /** A time (--since, --until) as nanoseconds since the epoch, null when absent. */
    public Long timeQuery(String name) {
        String v = query.get(name);
        return v == null || v.isEmpty() ? null : jbox.api.Timestamps.apiNanos(v, name);
    }

    /** A whole-number query parameter, null when absent. */
    public Integer intQuery(String name) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) return null;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiErrors.badRequest("invalid value for " + name + ": " + v);
        }
    }

    /** The JSON body, or an empty object when there is none. Malformed JSON is a 400. */
    public JsonNode json() {
        if (body.length == 0) return Json.MAPPER.createObjectNode();
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw ApiErrors.badRequest("invalid JSON in the request body: " + e.getMessage());
        }
    }

    public boolean wantsUpgrade() {
        return headers.getOrDefault("connection", "").toLowerCase().contains("upgrade");
    }

    /** For the trace: what the client asked for. */
    @Override
    public String toString() { return method + " " + target; }

    /** Paths whose body is streamed to the handler instead of read whole: image archives can be gigabytes. */
    public static boolean streamsBody(String method, String target) {
        String path = target.split("\\?")[0];
        return method.equals("POST") && path.matches("(/v\\d+\\.\\d+)?/(images/load|build)")
                || method.equals("PUT") && path.matches("(/v\\d+\\.\\d+)?/containers/[^/]+/archive");
    }

    static List<String> split(String path) {
        return List.of(path.substring(1).split("/", -1));
    }

}
