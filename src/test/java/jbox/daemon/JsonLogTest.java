package jbox.daemon;

import jbox.runtime.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The json-file log: lines as Docker writes them, partial lines kept until they end, and a bounded size. */
class JsonLogTest {
    @TempDir Path dir;

    @Test
    void linesAreEntriesWithTheirStream() throws Exception {
        try (JsonLog log = new JsonLog(dir, LogConfig.DEFAULT)) {
            byte[] a = "one\ntw".getBytes(StandardCharsets.UTF_8);
            log.append("stdout", a, a.length);
            byte[] b = "oops\n".getBytes(StandardCharsets.UTF_8);
            log.append("stderr", b, b.length);
            byte[] c = "o\nno newline".getBytes(StandardCharsets.UTF_8);
            log.append("stdout", c, c.length);
        }
        List<JsonLog.Entry> e = JsonLog.read(dir);
        assertEquals(List.of("one\n", "oops\n", "two\n", "no newline"), e.stream().map(JsonLog.Entry::text).toList());
        assertEquals(List.of("stdout", "stderr", "stdout", "stdout"), e.stream().map(JsonLog.Entry::stream).toList());
        String first = Files.readAllLines(dir.resolve(JsonLog.FILE)).get(0);
        assertTrue(first.matches("\\{\"log\":\"one\\\\n\",\"stream\":\"stdout\",\"time\":\"\\d{4}-.*Z\"}"), first);
    }

    @Test
    void aFollowerReadsOnlyWhatCameSinceItsLastRead() throws Exception {
        List<JsonLog.Entry> first = new java.util.ArrayList<>();
        List<JsonLog.Entry> second = new java.util.ArrayList<>();
        try (JsonLog log = new JsonLog(dir, LogConfig.DEFAULT)) {
            byte[] a = "one\n".getBytes(StandardCharsets.UTF_8);
            log.append("stdout", a, a.length);
            long offset = JsonLog.readFile(JsonLog.current(dir), 0, first);
            byte[] b = "two\nthr".getBytes(StandardCharsets.UTF_8);
            log.append("stdout", b, b.length);
            long after = JsonLog.readFile(JsonLog.current(dir), offset, second);
            assertEquals(Files.size(JsonLog.current(dir)), after, "the offset is past the last complete line");
        }
        assertEquals(List.of("one\n"), first.stream().map(JsonLog.Entry::text).toList());
        assertEquals(List.of("two\n"), second.stream().map(JsonLog.Entry::text).toList(), "only the new line, the partial one waits");
    }

    @Test
    void theLogStaysBounded() throws Exception {
        byte[] line = ("x".repeat(999) + "\n").getBytes(StandardCharsets.UTF_8);
        try (JsonLog log = new JsonLog(dir, LogConfig.DEFAULT)) {
            for (int i = 0; i < 30_000; i++) log.append("stdout", line, line.length); // about 30 MB written
        }
        long max = LogConfig.DEFAULT.maxBytes();
        long total = Files.size(dir.resolve(JsonLog.FILE)) + Files.size(dir.resolve(JsonLog.FILE + ".1"));
        assertTrue(total <= 2 * max, "kept " + total + " bytes");
        assertTrue(Files.size(dir.resolve(JsonLog.FILE + ".1")) > max - 2000, "the previous file is kept whole");
        assertFalse(Files.exists(dir.resolve(JsonLog.FILE + ".2")), "two files by default");
        List<JsonLog.Entry> e = JsonLog.read(dir);
        assertTrue(e.size() > 9_000 && e.size() < 30_000, "at least a whole file of the newest entries: " + e.size());
    }

    @Test
    void maxSizeAndMaxFileBoundTheLogAsLogOptsSay() throws Exception {
        byte[] line = ("y".repeat(99) + "\n").getBytes(StandardCharsets.UTF_8);
        try (JsonLog log = new JsonLog(dir, LogConfig.of("json-file", java.util.Map.of("max-size", "10k", "max-file", "3")))) {
            for (int i = 0; i < 2_000; i++) log.append("stdout", line, line.length); // about 250 KB of entries
        }
        for (String f : List.of(JsonLog.FILE, JsonLog.FILE + ".1", JsonLog.FILE + ".2")) {
            assertTrue(Files.size(dir.resolve(f)) <= 10 * 1024, f + " holds at most max-size");
        }
        assertFalse(Files.exists(dir.resolve(JsonLog.FILE + ".3")), "max-file 3: the current file and two older ones");
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(JsonLog.FILE))),
                "readable by root and its group only, as docker's logs");
        List<JsonLog.Entry> e = JsonLog.read(dir);
        assertTrue(e.size() > 100 && e.size() < 200, "the newest three files' entries (about 60 a file), oldest first: " + e.size());
    }
}
