package jbox.cgroup;

import jbox.sys.ProcFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing cgroup files, with errors that name the file and the value. */
public final class CgroupFiles {
    /** Sees every write: the shell's explain mode shows them, tests of fake trees check them. */
    private static volatile java.util.function.BiConsumer<Path, String> trace;

    private CgroupFiles() {}

    public static void trace(java.util.function.BiConsumer<Path, String> listener) { trace = listener; }

    static void write(Path file, String value) {
        var t = trace;
        if (t != null) t.accept(file, value);
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new CgroupException("failed to write \"" + value + "\" to " + file + ": " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try {
            return ProcFiles.read(file).trim();
        } catch (IOException e) {
            throw new CgroupException("failed to read " + file + ": " + e.getMessage(), e);
        }
    }

    static List<Integer> pids(Path procsFile) {
        List<Integer> out = new ArrayList<>();
        if (!Files.exists(procsFile)) return out;
        for (String line : read(procsFile).split("\n")) {
            // 0 stands for a process outside the reader's pid namespace: it cannot be signalled by pid
            if (!line.isBlank() && Integer.parseInt(line.trim()) > 0) out.add(Integer.parseInt(line.trim()));
        }
        return out;
    }

    /** Removes the shared parent (e.g. /jbox) once no container cgroup is left in it; another jbox may still use it. */
    static void removeIfEmpty(Path parent) {
        try {
            Files.deleteIfExists(parent);
        } catch (IOException e) {
            // not empty: another container lives there
        }
    }

    /** rmdir, retrying briefly: the kernel frees a cgroup a moment after its last task exits. */
    static void remove(Path dir) {
        for (int i = 0; i < 200 && Files.exists(dir); i++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (Files.exists(dir)) throw new CgroupException("cannot remove cgroup " + dir + ": it still has processes (EBUSY)", null);
    }
}
