package jbox.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jbox.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Seccomp profiles in Docker's format (what `--security-opt seccomp=FILE` takes, and jbox's own
 * default, {@code seccomp-default.json}) turned into the OCI form {@link Seccomp} compiles. Docker's
 * format adds to the OCI one: "name" beside "names", an "archMap" from this machine's architecture
 * to the ones a filter must know, and rules that apply only with ("includes") or without
 * ("excludes") certain capabilities, architectures or kernels. They are decided here, for the
 * capabilities the container will have, as Docker decides them.
 */
public final class SeccompProfiles {
    private static final String DEFAULT = "/jbox/seccomp-default.json";

    private SeccompProfiles() {}

    /** jbox's default profile (Docker's) for a container with this bounding set. */
    public static JsonNode defaultFor(long capabilities) {
        try (InputStream in = SeccompProfiles.class.getResourceAsStream(DEFAULT)) {
            if (in == null) throw new IllegalStateException("the default seccomp profile " + DEFAULT + " is missing from jbox's jar");
            return resolve(Json.MAPPER.readTree(in), capabilities);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the default seccomp profile: " + e.getMessage(), e);
        }
    }

    /**
     * A profile's text, in Docker's format or the OCI one, for a container with this bounding
     * set; null when it asks for no filter at all (no default action and no rules, as Docker reads it).
     */
    public static JsonNode parse(String text, long capabilities) {
        JsonNode p;
        try {
            p = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("the seccomp profile is not valid JSON: " + e.getMessage());
        }
        if (p == null || !p.isObject()) throw new IllegalArgumentException("the seccomp profile must be a JSON object");
        if (p.path("defaultAction").asText("").isEmpty() && p.path("syscalls").isEmpty()) return null;
        return resolve(p, capabilities);
    }

    private static JsonNode resolve(JsonNode p, long capabilities) {
        if (p.path("architectures").size() > 0 && p.path("archMap").size() > 0) {
            throw new IllegalArgumentException("the seccomp profile gives both \"architectures\" and \"archMap\"; use one of them");
        }
        if (p.path("defaultAction").asText("").isEmpty()) throw new IllegalArgumentException("the seccomp profile has no \"defaultAction\"");
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("defaultAction", p.path("defaultAction").asText());
        if (p.has("defaultErrnoRet")) out.set("defaultErrnoRet", p.get("defaultErrnoRet"));
        if (p.has("flags")) out.set("flags", p.get("flags"));
        ArrayNode arches = out.putArray("architectures");
        for (JsonNode a : p.path("architectures")) arches.add(a.asText());
        String native_ = nativeArch();
        for (JsonNode m : p.path("archMap")) {
            if (!m.path("architecture").asText().equals(native_)) continue;
            arches.add(native_);
            for (JsonNode sub : m.path("subArchitectures")) arches.add(sub.asText());
        }
        ArrayNode calls = out.putArray("syscalls");
        for (JsonNode rule : p.path("syscalls")) {
            if (rule.has("name") && rule.path("names").size() > 0) {
                throw new IllegalArgumentException("a seccomp rule gives both \"name\" and \"names\" (" + rule.path("name").asText() + ")");
            }
            if (!applies(rule.path("includes"), rule.path("excludes"), capabilities)) continue;
            ObjectNode r = calls.addObject();
            ArrayNode names = r.putArray("names");
            if (rule.has("name")) names.add(rule.path("name").asText()); else for (JsonNode n : rule.path("names")) names.add(n.asText());
            r.put("action", rule.path("action").asText());
            if (rule.has("errnoRet")) r.set("errnoRet", rule.get("errnoRet"));
            if (rule.has("args")) r.set("args", rule.get("args"));
        }
        return out;
    }

    /** Docker's rule filters: every "includes" condition must hold, and no "excludes" one. */
    private static boolean applies(JsonNode includes, JsonNode excludes, long capabilities) {
        String arch = goArch();
        for (JsonNode a : excludes.path("arches")) if (a.asText().equals(arch)) return false;
        for (JsonNode c : excludes.path("caps")) if (has(capabilities, c.asText())) return false;
        if (excludes.hasNonNull("minKernel") && kernelAtLeast(excludes.path("minKernel").asText())) return false;
        if (includes.path("arches").size() > 0) {
            boolean any = false;
            for (JsonNode a : includes.path("arches")) any |= a.asText().equals(arch);
            if (!any) return false;
        }
        for (JsonNode c : includes.path("caps")) if (!has(capabilities, c.asText())) return false;
        return !includes.hasNonNull("minKernel") || kernelAtLeast(includes.path("minKernel").asText());
    }

    private static boolean has(long capabilities, String name) {
        try {
            return (Capabilities.mask(List.of(name)) & capabilities) != 0;
        } catch (IllegalArgumentException e) {
            return false; // a capability this jbox does not know: the container cannot hold it
        }
    }

    /** The running kernel is at least version "major.minor". */
    static boolean kernelAtLeast(String version) {
        int[] want = numbers(version);
        int[] have;
        try {
            have = numbers(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        } catch (IOException e) {
            return false;
        }
        return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
    }

    private static int[] numbers(String v) {
        String[] p = v.split("[.-]");
        try {
            return new int[]{Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel version: \"" + v + "\"");
        }
    }

    /** This machine's architecture as seccomp profiles name it. */
    static String nativeArch() { return goArch().equals("amd64") ? "SCMP_ARCH_X86_64" : "SCMP_ARCH_AARCH64"; }

    /** This machine's architecture as Docker's includes/excludes name it (Go's names). */
    private static String goArch() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") || a.equals("x86_64") ? "amd64" : "arm64";
    }
}
