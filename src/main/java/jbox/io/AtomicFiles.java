package jbox.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** File writes that are all or nothing (temp file, then rename), and tree removal. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes data to target through a temp file in tmpDir (same filesystem), renamed into place. */
    public static void write(Path tmpDir, Path target, byte[] data) throws IOException {
        Path tmp;
        try {
            tmp = Files.createTempFile(tmpDir, target.getFileName().toString(), ".partial");
        } catch (java.nio.file.NoSuchFileException e) { // first write there: make the directories (not checked on every write, which costs)
            Files.createDirectories(tmpDir);
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(tmpDir, target.getFileName().toString(), ".partial");
        }
        boolean moved = false;
        try {
            Files.write(tmp, data);
            try {
                move(tmp, target);
            } catch (java.nio.file.NoSuchFileException e) { // the temp dir existed, the target's did not yet
                Files.createDirectories(target.getParent());
                move(tmp, target);
            }
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes a file, or a directory and everything in it, without following symlinks. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(path);
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
