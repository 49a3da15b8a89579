package jbox.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads kernel files under /proc and /sys. They report size 0, and sysctl files return nothing
 * for a read that does not start at offset 0, so Files.readString (which reads one byte first)
 * can return a truncated value: "4" for a cap_last_cap of 40. Read in one large chunk instead.
 */
public final class ProcFiles {
    private ProcFiles() {}

    public static String read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        }
    }

    /** The machine's RAM in bytes (MemTotal of /proc/meminfo), or 0 if it cannot be read. */
    public static long memTotalBytes() {
        try {
            for (String line : read(Path.of("/proc/meminfo")).split("\n")) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: unknown
        }
        return 0;
    }
}
