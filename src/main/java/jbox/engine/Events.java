package jbox.engine;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.io.JsonLines;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * docker events: what happened to containers, images, volumes and networks, as dockerd's messages.
 * They are appended to ROOT/events.jsonl by whichever jbox process did it (the daemon, a command
 * without one, a monitor recording an exit), one line in one write, so `events` sees all of them,
 * also after a daemon restart. The journal keeps the last 4 MiB, the one before it as events.jsonl.1.
 */
public final class Events {
    static final long ROTATE_AT = 4L << 20;

    private final Path file, old, lock;

    Events(Path root) {
        this.file = root.resolve("events.jsonl");
        this.old = root.resolve("events.jsonl.1");
        this.lock = root.resolve(".events.lock");
    }

    /** Records one event; a failure to record never fails the action it describes. */
    public void emit(String type, String action, String id, Map<String, String> attributes) {
        Instant now = Instant.now();
        Map<String, Object> m = new LinkedHashMap<>();
        if (type.equals("container") || type.equals("image")) {
            m.put("status", action); // the fields of API versions before 1.22, which docker still sends
            m.put("id", id);
            if (type.equals("container") && attributes.containsKey("image")) m.put("from", attributes.get("image"));
        }
        m.put("Type", type);
        m.put("Action", action);
        m.put("Actor", Map.of("ID", id, "Attributes", attributes));
        m.put("scope", "local");
        m.put("time", now.getEpochSecond());
        m.put("timeNano", now.getEpochSecond() * 1_000_000_000L + now.getNano());
        byte[] line = Json.line(m);
        try (FileLock ignored = FileLock.acquire(lock)) {
            if (Files.exists(file) && Files.size(file) > ROTATE_AT) Files.move(file, old, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(line));
            }
        } catch (IOException e) {
            // a full disk or a read-only root: the action happened all the same
        }
    }

    /** A container's event, with docker's attributes: its name, image and labels. */
    public void container(jbox.runtime.ContainerState c, String action, Map<String, String> more) {
        Map<String, String> a = new LinkedHashMap<>(c.labels());
        a.put("image", c.image());
        a.put("name", c.name());
        a.putAll(more);
        emit("container", action, c.id(), a);
    }

    /** Where a reader is: the journal's identity and the offset read up to. */
    public record Position(Object fileKey, long offset) {}

    /** Every recorded event, oldest first, to out; returns where the reading stopped, for follow(). */
    public Position readAll(Consumer<JsonNode> out) throws IOException {
        JsonLines.read(old, 0, out);
        Object key = key();
        return new Position(key, key == null ? 0 : JsonLines.read(file, 0, out));
    }

    /** The events recorded since a position; the journal may have rotated meanwhile. */
    public Position readNew(Position p, Consumer<JsonNode> out) throws IOException {
        Object key = key();
        if (key == null) return new Position(null, 0);
        long from = p.offset();
        if (!key.equals(p.fileKey())) {
            if (p.fileKey() != null) JsonLines.read(old, p.offset(), out); // the rest of the one that was rotated
            from = 0;
        }
        return new Position(key, JsonLines.read(file, from, out));
    }

    private Object key() throws IOException {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }


    static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) if (kv[i + 1] != null) m.put(kv[i], kv[i + 1]);
        return m;
    }

}
