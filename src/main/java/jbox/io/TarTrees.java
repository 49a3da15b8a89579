package jbox.io;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** A file or a directory tree as a tar stream, as docker cp sends it (both ways). */
public final class TarTrees {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private TarTrees() {}

    /** A tar header as docker's: type, mode, owner, size and modification time, no access or change times. */
    private static TarArchiveEntry entry(Path p, String name) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", NOFOLLOW);
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        TarArchiveEntry e;
        if (type == 0120000) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (type == 0040000) {
            e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        } else {
            e = new TarArchiveEntry(name);
            e.setSize((Long) a.get("size"));
        }
        e.setMode(mode);
        e.setUserId((Integer) a.get("uid"));
        e.setGroupId((Integer) a.get("gid"));
        e.setModTime(((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis());
        return e;
    }

    /**
     * Writes the entry (links as links, never followed) as a tar whose top entry is named name, and a
     * directory with what is under it, except below the directories descend refuses. out stays open.
     */
    public static void write(Path entry, String name, OutputStream out, Predicate<Path> descend) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(out) {
            @Override public void close() throws IOException { flush(); } // the caller closes its stream
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        }, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(entry, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(dir);
                return descend.test(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (file.equals(entry)) throw e;
                return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: the rest is still copied
            }

            private void add(Path p) throws IOException {
                String rel = entry.relativize(p).toString();
                String entryName = rel.isEmpty() ? name : name + "/" + rel;
                TarArchiveEntry e = entry(p, entryName);
                tar.putArchiveEntry(e);
                if (e.isFile() && !e.isSymbolicLink()) {
                    try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                        in.transferTo(tar);
                    }
                }
                tar.closeArchiveEntry();
            }
        });
        tar.finish();
        tar.flush();
    }
}
