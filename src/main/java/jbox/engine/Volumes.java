package jbox.engine;

import jbox.sys.Failure;

import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.runtime.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Volumes: data that outlives containers, under ROOT/volumes/NAME/_data (docker's layout), with
 * volume.json beside it. A new volume is filled from the image's files at its mount point the first
 * time a container mounts it ("seeded" records that this was done).
 */
public final class Volumes {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    /** What volume.json holds; docker's inspect shows these fields. */
    public record Volume(String name, String createdAt, Map<String, String> labels, boolean anonymous, boolean seeded) {
        public Volume {
            labels = labels == null ? Map.of() : labels; // null in volumes made before labels
        }
    }

    private final Path dir;

    Volumes(Path jboxRoot) {
        this.dir = jboxRoot.resolve("volumes");
    }

    public Path dataDir(String name) { return dir.resolve(name).resolve("_data"); }

    public static void validate(String name) {
        if (!NAME.matcher(name).matches() || name.length() > Names.MAX_LENGTH) {
            throw new Failure("invalid volume name \"" + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "\"",
                    "volume names are 2 to " + Names.MAX_LENGTH + " letters, digits and _ . -",
                    "choose another name, e.g. jbox volume create data").httpStatus(400);
        }
    }

    /** The volume of that name, made now if missing; returns it and whether it is new. */
    public Volume ensure(String name, Map<String, String> labels, boolean anonymous) throws IOException {
        validate(name);
        Files.createDirectories(dir);
        try (FileLock ignored = FileLock.acquire(dir.resolve(".lock"))) {
            Volume v = find(name);
            if (v != null) return v;
            Files.createDirectories(dataDir(name));
            Volume made = new Volume(name, Instant.now().toString(), labels == null ? Map.of() : labels, anonymous, false);
            save(made);
            return made;
        }
    }

    public Volume find(String name) throws IOException {
        Path f = dir.resolve(name).resolve("volume.json");
        if (!NAME.matcher(name).matches() || !Files.isRegularFile(f)) return null;
        return Json.read(Files.readAllBytes(f), Volume.class, "volume " + name);
    }

    public Volume get(String name) throws IOException {
        Volume v = find(name);
        if (v == null) {
            throw new Failure("no such volume: " + name, "no volume has that name", "list them with jbox volume ls").httpStatus(404);
        }
        return v;
    }

    void save(Volume v) throws IOException {
        Path vdir = dir.resolve(v.name());
        AtomicFiles.write(vdir, vdir.resolve("volume.json"), Json.bytes(v));
    }

    public void markSeeded(Volume v) throws IOException {
        save(new Volume(v.name(), v.createdAt(), v.labels(), v.anonymous(), true));
    }

    public List<Volume> list() throws IOException {
        List<Volume> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                Volume v = find(p.getFileName().toString());
                if (v != null) out.add(v);
            }
        }
        return out;
    }

    /** Deletes the volume and its data; the caller checked that no container uses it. */
    void delete(String name) throws IOException {
        validate(name);
        AtomicFiles.deleteTree(dir.resolve(name));
    }

    long size(String name) {
        try (Stream<Path> s = Files.walk(dataDir(name))) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
