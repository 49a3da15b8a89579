package jbox.io;

import jbox.sys.Processes;

import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory's owner file: the pid and start time of the jbox process that made it, so a later
 * jbox can tell a directory still in use from one left by a process that was killed. A directory
 * appears with its owner file already in it (made as NAME.claim, then renamed), so a jbox that
 * sweeps dead owners' directories never sees one that is being made as ownerless.
 */
public final class Owner {
    private static final String FILE = "owner";

    private Owner() {}

    /** Makes dir (mode 0700), owned by this process; FileAlreadyExistsException if it exists. */
    public static Path create(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        Path staging = dir.resolveSibling(dir.getFileName() + ".claim");
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            int me = Sys.getpid();
            Files.writeString(staging.resolve(FILE), me + " " + Processes.startTime(me));
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
        Path f = dir.resolve(FILE);
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim().split(" ")[0]) : -1;
    }

    /** True while the process that claimed dir is still running. */
    public static boolean isAlive(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return false;
        String[] owner = Files.readString(f).trim().split(" ");
        return owner.length >= 2 && Processes.isSame(Integer.parseInt(owner[0]), Long.parseLong(owner[1]));
    }
}
