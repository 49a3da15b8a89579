package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.image.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's output as Docker's json-file driver keeps it: one JSON object per line,
 * {"log": "text\n", "stream": "stdout", "time": "..."}. Bounded: past MAX_BYTES the file
 * becomes FILE.1 (the older .1 is dropped), so one container keeps at most twice that.
 */
public final class JsonLog implements AutoCloseable {
    public static final String FILE = "container-json.log";
    static final long MAX_BYTES = 10L * 1024 * 1024;
    private static final int MAX_LINE = 16 * 1024;

    public record Entry(String stream, String text, String time) {}

    private final Path file;
    private final Map<String, ByteArrayOutputStream> partial = new LinkedHashMap<>();
    private OutputStream out;
    private long size;

    public JsonLog(Path dir) throws IOException {
        this.file = dir.resolve(FILE);
        open();
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    /** Adds output of one stream; complete lines are written now, a partial line waits for its end. */
    public synchronized void append(String stream, byte[] data, int len) throws IOException {
        ByteArrayOutputStream line = partial.computeIfAbsent(stream, s -> new ByteArrayOutputStream());
        for (int i = 0; i < len; i++) {
            line.write(data[i]);
            if (data[i] == '\n' || line.size() >= MAX_LINE) {
                writeEntry(stream, line);
            }
        }
        out.flush();
    }

    /** Writes what is left of unfinished lines (at exit). */
    public synchronized void flush() throws IOException {
        for (var e : partial.entrySet()) if (e.getValue().size() > 0) writeEntry(e.getKey(), e.getValue());
        out.flush();
    }

    private void writeEntry(String stream, ByteArrayOutputStream line) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("log", line.toString(StandardCharsets.UTF_8));
        m.put("stream", stream);
        m.put("time", Instant.now().toString());
        line.reset();
        byte[] b = Json.bytes(m);
        if (size + b.length + 1 > MAX_BYTES) rotate();
        out.write(b);
        out.write('\n');
        size += b.length + 1;
    }

    private void rotate() throws IOException {
        out.close();
        Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        open();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }

    /** Every entry kept for the container in dir, oldest first. */
    public static List<Entry> read(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        readFile(dir.resolve(FILE + ".1"), 0, out);
        readFile(dir.resolve(FILE), 0, out);
        return out;
    }

    /** Entries from byte offset on in the current file; returns the offset after the last complete line. */
    public static long readFile(Path file, long offset, List<Entry> into) throws IOException {
        byte[] tail;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset > ch.size()) offset = 0; // rotated meanwhile
            // Only what was written since the last read: a followed log is read every 50 ms.
            tail = java.nio.channels.Channels.newInputStream(ch.position(offset)).readAllBytes();
        } catch (NoSuchFileException e) {
            return offset;
        }
        int start = 0;
        for (int i = 0; i < tail.length; i++) {
            if (tail[i] != '\n') continue;
            JsonNode n = Json.MAPPER.readTree(tail, start, i - start);
            into.add(new Entry(n.path("stream").asText("stdout"), n.path("log").asText(""), n.path("time").asText("")));
            start = i + 1;
        }
        return offset + start;
    }

    public static Path current(Path dir) { return dir.resolve(FILE); }
}
