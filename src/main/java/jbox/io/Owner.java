package jbox.io;

import jbox.sys.Processes;

import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory's owner file: the pid and start time of the jbox process that made it, so a later
 * jbox can tell a directory still in use from one left by a process that was killed.
 *
 * <p>Several jbox processes make and sweep such directories side by side (thirty learners, a test
 * suite in parallel), so neither step may expose a half-made state. A directory is made as
 * NAME.claim.PID.START, its owner file written, then renamed to NAME: it appears with its owner.
 * A sweeper first renames a dead owner's directory to NAME.gone.PID.START (only one sweeper's
 * rename succeeds), then cleans up and deletes it. The staging names carry their maker in the
 * name, so one left by a killed process is recognised without reading anything inside it.
 */
public final class Owner {
    private static final String FILE = "owner";
    private static final String CLAIM = ".claim.";
    private static final String GONE = ".gone.";

    private Owner() {}

    /** What a sweeper does for an abandoned directory before it is deleted (processes, cgroups...). */
    @FunctionalInterface
    public interface Reaper {
        void reap(String name, Path dir) throws IOException;
    }

    /** Makes dir (mode 0700), owned by this process; FileAlreadyExistsException if it exists. */
    public static Path create(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        Path staging = dir.resolveSibling(dir.getFileName() + CLAIM + me().replace(' ', '.'));
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.writeString(staging.resolve(FILE), me());
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE); // onto an existing, non-empty dir: fails
            return dir;
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(staging);
            if (Files.isDirectory(dir)) throw new FileAlreadyExistsException(dir.toString());
            throw e;
        }
    }

    /** Makes a new directory parent/PREFIX-RANDOM owned by this process. */
    public static Path createTemp(Path parent, String prefix) throws IOException {
        while (true) {
            Path dir = parent.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36));
            try {
                return create(dir);
            } catch (FileAlreadyExistsException taken) {
                // another name
            }
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** The owner's pid, or -1 when dir has no owner file. */
    public static int pid(Path dir) throws IOException {
        try {
            return Integer.parseInt(Files.readString(dir.resolve(FILE)).trim().split(" ")[0]);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** True while the process that claimed dir is still running. */
    public static boolean isAlive(Path dir) throws IOException {
        try {
            return isRunning(Files.readString(dir.resolve(FILE)).trim());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Reaps and deletes every directory in parent whose name starts with prefix and whose owner is
     * gone, including ones a killed process was making or sweeping. Returns the names reaped.
     */
    public static List<String> sweep(Path parent, String prefix, Reaper reaper) throws IOException {
        List<String> reaped = new ArrayList<>();
        if (!Files.isDirectory(parent)) return reaped;
        List<Path> entries;
        try (var s = Files.list(parent)) {
            entries = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path d : entries) {
            if (!mine(d)) continue; // another user's (a learner's beside root's, on a shared server): theirs to sweep
            String file = d.getFileName().toString();
            int claim = file.indexOf(CLAIM);
            int gone = file.indexOf(GONE);
            if (claim > 0) {
                // never became NAME: nothing outside it was made for it yet
                if (!isRunning(file.substring(claim + CLAIM.length()).replace('.', ' '))) takeAndDelete(d, file.substring(0, claim), null, reaped);
            } else if (gone > 0) {
                if (!isRunning(file.substring(gone + GONE.length()).replace('.', ' '))) takeAndDelete(d, file.substring(0, gone), reaper, reaped);
            } else if (!isAlive(d)) {
                takeAndDelete(d, file, reaper, reaped);
            }
        }
        return reaped;
    }

    /** Whether path (not followed) belongs to this process's user: uid 0 in jbox's user namespace is the user who runs it. */
    public static boolean mine(Path d) {
        try {
            return ((Number) Files.getAttribute(d, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).intValue() == Sys.geteuid();
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a directory this process made, so that no sweeper meets it half deleted and ownerless. */
    public static void delete(Path dir) throws IOException {
        Path mine = dir.resolveSibling(dir.getFileName() + GONE + me().replace(' ', '.'));
        try {
            Files.move(dir, mine, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return;
        }
        AtomicFiles.deleteTree(mine);
    }

    private static void takeAndDelete(Path d, String name, Reaper reaper, List<String> reaped) throws IOException {
        Path mine = d.resolveSibling(name + GONE + me().replace(' ', '.'));
        try {
            Files.move(d, mine, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException another) {
            return; // another sweeper took it first
        }
        if (reaper != null) reaper.reap(name, mine);
        AtomicFiles.deleteTree(mine);
        reaped.add(name);
    }

    private static String me() {
        int pid = Sys.getpid();
        return pid + " " + Processes.startTime(pid);
    }

    private static boolean isRunning(String owner) {
        String[] f = owner.split(" ");
        try {
            return f.length == 2 && Processes.isSame(Integer.parseInt(f[0]), Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
