package jbox.engine;

import jbox.linux.MountPlan;

import jbox.sys.Failure;

import jbox.runtime.Names;
import jbox.linux.Storage;
import jbox.linux.Storage.Mount;
import jbox.linux.Storage.Type;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docker's rules for -v, --mount, --tmpfs and --read-only: reading the flags, checking them when a
 * container is created (a bind's host path must exist; volumes are made on first use), and turning
 * them into host paths when it starts.
 */
public final class StorageRules {
    private StorageRules() {}

    /** -v: HOST_PATH:TARGET[:ro|rw], NAME:TARGET[:...], or TARGET alone (an anonymous volume). */
    public static Mount volumeFlag(String spec) {
        String[] p = spec.split(":", -1);
        if (p.length == 1) return target(new Mount(Type.VOLUME, "", p[0], false, null, true, false), spec);
        if (p.length > 3) throw bad("-v " + spec, "it has too many colons", "write -v SOURCE:TARGET[:ro]");
        boolean ro = false, noCopy = false;
        if (p.length == 3) {
            for (String o : p[2].split(",")) {
                switch (o) {
                    case "ro" -> ro = true;
                    case "rw", "z", "Z", "" -> { }
                    case "nocopy" -> noCopy = true;
                    default -> throw bad("-v " + spec, "\"" + o + "\" is not an option jbox knows", "use ro or rw");
                }
            }
        }
        boolean bind = p[0].startsWith("/") || p[0].startsWith(".");
        return target(new Mount(bind ? Type.BIND : Type.VOLUME, p[0], p[1], ro, null, p[0].isEmpty(), noCopy), spec);
    }

    /** --mount type=bind|volume|tmpfs,source=...,target=...,readonly,tmpfs-size=...,tmpfs-mode=...,volume-nocopy */
    public static Mount mountFlag(String spec) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            kv.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "true" : part.substring(eq + 1));
        }
        String type = kv.getOrDefault("type", "volume");
        String source = first(kv, "source", "src");
        String target = first(kv, "target", "destination", "dst");
        boolean ro = isTrue(first(kv, "readonly", "ro"));
        List<String> tmpfs = new ArrayList<>();
        if (kv.containsKey("tmpfs-size")) tmpfs.add("size=" + kv.get("tmpfs-size"));
        if (kv.containsKey("tmpfs-mode")) tmpfs.add("mode=" + kv.get("tmpfs-mode"));
        for (String k : kv.keySet()) {
            if (!List.of("type", "source", "src", "target", "destination", "dst", "readonly", "ro", "tmpfs-size", "tmpfs-mode", "volume-nocopy",
                    "bind-propagation").contains(k)) {
                throw bad("--mount " + spec, "\"" + k + "\" is not a --mount field jbox knows", "use type, source, target, readonly, tmpfs-size, tmpfs-mode");
            }
        }
        if (target == null) throw bad("--mount " + spec, "it has no target", "add target=/path/in/container");
        return switch (type) {
            case "bind" -> {
                if (source == null) throw bad("--mount " + spec, "a bind mount needs a source", "add source=/path/on/host");
                yield target(new Mount(Type.BIND, source, target, ro, null, false, false), spec);
            }
            case "volume" -> target(new Mount(Type.VOLUME, source == null ? "" : source, target, ro, null, source == null,
                    isTrue(kv.get("volume-nocopy"))), spec);
            case "tmpfs" -> target(new Mount(Type.TMPFS, null, target, ro, tmpfsOptions(String.join(",", tmpfs), spec), false, false), spec);
            default -> throw bad("--mount " + spec, "type \"" + type + "\" is not bind, volume or tmpfs", "use one of those");
        };
    }

    /** --tmpfs TARGET[:size=64m,mode=1777] */
    public static Mount tmpfsFlag(String spec) {
        int colon = spec.indexOf(':');
        String target = colon < 0 ? spec : spec.substring(0, colon);
        String opts = colon < 0 ? "" : spec.substring(colon + 1);
        return target(new Mount(Type.TMPFS, null, target, false, tmpfsOptions(opts, spec), false, false), spec);
    }

    private static String tmpfsOptions(String opts, String spec) {
        List<String> out = new ArrayList<>();
        for (String o : opts.split(",")) {
            if (o.isEmpty() || o.equals("rw")) continue;
            if (o.matches("size=\\d+[kmgKMG%]?") || o.matches("mode=[0-7]{3,4}") || o.equals("exec") || o.equals("noexec")) out.add(o.toLowerCase());
            else throw bad("--tmpfs " + spec, "\"" + o + "\" is not a tmpfs option jbox knows", "use size=64m and mode=1777");
        }
        if (out.stream().noneMatch(o -> o.startsWith("mode="))) out.add("mode=1777");
        return String.join(",", out);
    }

    private static Mount target(Mount m, String spec) {
        if (!m.target().startsWith("/") || m.target().equals("/") || m.target().contains("\0")) {
            throw bad(spec, "the path in the container must be absolute and not /", "write e.g. /data");
        }
        return m;
    }

    private static String first(Map<String, String> kv, String... keys) {
        for (String k : keys) if (kv.containsKey(k)) return kv.get(k);
        return null;
    }

    private static boolean isTrue(String v) { return v != null && (v.equals("true") || v.equals("1")); }

    private static Failure bad(String what, String cause, String fix) {
        return new Failure("invalid mount " + what, cause, fix).httpStatus(400);
    }

    /**
     * The image's VOLUME paths become anonymous volumes, as docker makes them, unless a mount the user
     * gave already has that path.
     */
    static Storage withImageVolumes(Storage s, Map<String, Object> imageVolumes) {
        if (imageVolumes == null || imageVolumes.isEmpty() || s.skipImageVolumes()) return s;
        List<Mount> out = new ArrayList<>(s.mounts());
        for (String path : imageVolumes.keySet()) {
            String target = Path.of(path).normalize().toString();
            if (!target.startsWith("/") || target.equals("/")) continue; // not a path a volume can have: docker skips it too
            if (s.mounts().stream().noneMatch(m -> Path.of(m.target()).normalize().toString().equals(target))) {
                out.add(new Mount(Type.VOLUME, "", target, false, null, true, false));
            }
        }
        return new Storage(List.copyOf(out), s.readOnlyRootfs());
    }

    /** At create: a bind's host path must exist; volumes are made (an anonymous one gets a name). */
    static Storage prepare(Storage s, Volumes volumes) {
        List<Mount> out = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (Mount m : s.mounts()) {
            String target = Path.of(m.target()).normalize().toString();
            if (targets.contains(target)) throw bad(m.target(), "two mounts have the same path in the container", "give each mount its own target");
            targets.add(target);
            switch (m.type()) {
                case BIND -> {
                    Path src = Path.of(m.source()).toAbsolutePath().normalize();
                    if (!Files.exists(src)) {
                        throw new Failure("invalid mount config for type \"bind\": bind source path does not exist: " + src,
                                "a bind mount shows a host file or directory inside the container, so it must exist first",
                                "create it (mkdir -p " + src + "), or use a named volume: -v NAME:" + m.target()).httpStatus(400);
                    }
                    out.add(new Mount(Type.BIND, src.toString(), target, m.readOnly(), null, false, false));
                }
                case VOLUME -> {
                    String name = m.source() == null || m.source().isEmpty() ? Names.newId() : m.source();
                    try {
                        volumes.ensure(name, Map.of(), m.anonymous());
                    } catch (IOException e) {
                        throw Errors.explain(e, "cannot create volume " + name);
                    }
                    out.add(new Mount(Type.VOLUME, name, target, m.readOnly(), null, m.anonymous(), m.noCopy()));
                }
                case TMPFS -> out.add(new Mount(Type.TMPFS, null, target, m.readOnly(), m.options(), false, false));
            }
        }
        return new Storage(List.copyOf(out), s.readOnlyRootfs());
    }

    /** At start: each mount's host side, and whether a volume still waits for its copy from the image. */
    static List<MountPlan> plan(Storage s, Volumes volumes) throws IOException {
        List<MountPlan> out = new ArrayList<>();
        for (Mount m : s.mounts()) {
            switch (m.type()) {
                case BIND -> {
                    Path src = Path.of(m.source());
                    if (!Files.exists(src)) {
                        throw new Failure("the bind mount source " + src + " is gone", "it was removed after the container was created",
                                "create it again, or remove the container and create it with other mounts");
                    }
                    out.add(new MountPlan(m, src, false));
                }
                case VOLUME -> {
                    Volumes.Volume v = volumes.get(m.source());
                    out.add(new MountPlan(m, volumes.dataDir(v.name()), !v.seeded() && !m.noCopy()));
                }
                case TMPFS -> out.add(new MountPlan(m, null, false));
            }
        }
        return out;
    }

    static void markSeeded(List<MountPlan> plans, Volumes volumes) throws IOException {
        for (MountPlan p : plans) {
            if (p.seed()) volumes.markSeeded(volumes.get(p.mount().source()));
        }
    }
}
