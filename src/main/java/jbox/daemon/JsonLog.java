package jbox.daemon;

import jbox.io.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * {"log": "text\n", "stream": "stdout", "time": "..."}. Bounded as its --log-opt says: past
 * max-size the file becomes FILE.1, FILE.1 becomes FILE.2 and so on, and the oldest beyond
 * max-file files is dropped. Mode 0640, as Docker's: the container's output is not every user's.
 * The file is open only while output flows ({@link #idle} lets go of it), so a daemon holding
 * thousands of quiet containers does not hold thousands of log files.
 */
public final class JsonLog implements AutoCloseable {
    public static final String FILE = "container-json.log";
    private static final int MAX_LINE = 16 * 1024;
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> MODE = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");

    public record Entry(String stream, String text, String time) {
        /** Whether it was written from since to until (nanoseconds since the epoch; logs --since/--until). */
        boolean within(long since, long until) {
            if (since == Long.MIN_VALUE && until == Long.MAX_VALUE) return true;
            try {
                java.time.Instant t = java.time.Instant.parse(time);
                long n = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                return n >= since && n <= until;
            } catch (java.time.DateTimeException e) {
                return true; // no time recorded: shown, as lines without a time always were
            }
        }
    }

    private final Path file;
    private final long maxBytes;
    private final int maxFiles;
    private final Map<String, ByteArrayOutputStream> partial = new LinkedHashMap<>();
    /** Open while output flows; null when idle. */
    private java.nio.channels.FileChannel out;
    private long size;
    /** Lines lost while the disk was full: the container's output is drained all the same, so it never blocks on a full pipe. */
    private long dropped;

    public JsonLog(Path dir, jbox.runtime.LogConfig config) throws IOException {
        this.file = dir.resolve(FILE);
        this.maxBytes = config.maxBytes();
        this.maxFiles = config.maxFiles();
        create();
    }

    private void create() throws IOException {
        if (!Files.exists(file)) Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(MODE));
    }

    private java.nio.channels.FileChannel out() throws IOException {
        if (out == null) {
            create();
            out = java.nio.channels.FileChannel.open(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            size = out.size();
        }
        return out;
    }

    /** No output for now: the file is closed until the next line (a partial line waits in memory). */
    public synchronized void idle() throws IOException {
        if (out != null) out.close();
        out = null;
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
    }

    /** Writes what is left of unfinished lines (at exit). */
    public synchronized void flush() throws IOException {
        for (var e : partial.entrySet()) if (e.getValue().size() > 0) writeEntry(e.getKey(), e.getValue());
    }

    private void writeEntry(String stream, ByteArrayOutputStream line) throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (dropped > 0 && write("stderr", "[jbox: " + dropped + " lines of output were lost: the disk was full]\n")) dropped = 0;
        if (!write(stream, text)) dropped++;
    }

    /** One whole line or none: a write the full disk cuts short is taken back. False when the disk is full. */
    private boolean write(String stream, String text) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("log", text);
        m.put("stream", stream);
        m.put("time", Instant.now().toString());
        byte[] lineBytes = Json.line(m);
        java.nio.channels.FileChannel out = out();
        try {
            if (size > 0 && size + lineBytes.length > maxBytes) out = rotate();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(lineBytes);
            while (buf.hasRemaining()) out.write(buf);
            size += lineBytes.length;
            return true;
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) throw e;
            out.truncate(size);
            return false;
        }
    }

    private java.nio.channels.FileChannel rotate() throws IOException {
        idle();
        if (maxFiles == 1) {
            Files.delete(file);
        } else {
            for (int i = maxFiles - 2; i >= 1; i--) {
                Path older = file.resolveSibling(FILE + "." + i);
                if (Files.exists(older)) Files.move(older, file.resolveSibling(FILE + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return out();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        idle();
    }

    /** Every entry kept for the container in dir, oldest first. */
    public static List<Entry> read(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        int oldest = 0;
        while (Files.exists(dir.resolve(FILE + "." + (oldest + 1)))) oldest++;
        for (int i = oldest; i >= 1; i--) readFile(dir.resolve(FILE + "." + i), 0, out);
        readFile(dir.resolve(FILE), 0, out);
        return out;
    }

    /** Entries from byte offset on in the current file; returns the offset after the last complete line (a followed log is read every 50 ms). */
    public static long readFile(Path file, long offset, List<Entry> into) throws IOException {
        return jbox.io.JsonLines.read(file, offset, n -> into.add(new Entry(n.path("stream").asText("stdout"), n.path("log").asText(""), n.path("time").asText(""))));
    }

    public static Path current(Path dir) { return dir.resolve(FILE); }
}
