package jbox.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Packs a directory into a layer that is the same bytes every time for the same content:
 * entries sorted by name, timestamps fixed, owner root:root, gzip without a timestamp.
 * The same inputs give the same digests, so a rebuilt image is recognised as unchanged.
 */
public final class LayerWriter {
    private LayerWriter() {}

    /** A written layer: compressed bytes and the digest of the uncompressed tar (the diffID). */
    public record Layer(byte[] gzip, Digest diffId) {}

    public static Layer write(Path dir, long mtimeSeconds) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar, "UTF-8")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : sorted(dir)) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                TarArchiveEntry e;
                boolean regular = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                e.setMode(Files.isSymbolicLink(p) ? 0777 : mode & 07777 | (e.isDirectory() ? 040000 : 0100000));
                e.setUserId(0);
                e.setGroupId(0);
                e.setUserName("");
                e.setGroupName("");
                e.setModTime(mtimeSeconds * 1000);
                out.putArchiveEntry(e);
                if (regular) Files.copy(p, out);
                out.closeArchiveEntry();
            }
        }
        byte[] raw = tar.toByteArray();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(gz)) {
            z.write(raw);
        }
        return new Layer(gz.toByteArray(), Digest.of(raw));
    }

    private static List<Path> sorted(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> !p.equals(dir)).forEach(all::add);
        }
        all.sort((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()));
        return all;
    }
}
