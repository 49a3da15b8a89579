package jbox.image;

import jbox.sys.OverlayXattrs;
import jbox.sys.Sys;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Packs a directory into a layer that is the same bytes every time for the same content:
 * entries sorted by name, timestamps fixed, gzip without a timestamp. The layer streams into the
 * OCI layout as it is written (tar, hashed for the diffID, gzipped, hashed for the blob digest),
 * so a big layer never sits in memory.
 */
public final class LayerWriter {
    private LayerWriter() {}

    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    /** A written layer: its blob (compressed) and the digest of the uncompressed tar (the diffID). */
    public record Layer(Digest blob, long size, Digest diffId) {
        public ImageSpec.Descriptor descriptor() { return new ImageSpec.Descriptor(MediaTypes.OCI_LAYER_GZIP, blob, size); }
    }

    /**
     * How entries are written. owners maps a path (relative, a/b) to {uid, gid}, or null to keep the file's
     * own; overlayUpper reads the directory as an overlayfs upper dir, so its whiteouts (0:0 character
     * devices) and opaque directories become OCI whiteouts; skip leaves paths out.
     */
    public record Options(long mtimeSeconds, Map<String, int[]> owners, boolean rootOwnsAll, boolean overlayUpper, Predicate<String> skip) {
        /** Every entry root-owned: a root filesystem packed from a recipe. */
        public static Options rootOwned(long mtimeSeconds) { return new Options(mtimeSeconds, Map.of(), true, false, p -> false); }
    }

    public static Layer write(Path dir, long mtimeSeconds, OciLayout into) throws IOException {
        return write(dir, Options.rootOwned(mtimeSeconds), into);
    }

    public static Layer write(Path dir, Options options, OciLayout into) throws IOException {
        Path tmp = into.tempFile();
        try {
            MessageDigest blob = Digest.sha256(), diff = Digest.sha256();
            long[] size = new long[1];
            OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 65536);
            OutputStream counting = new java.io.FilterOutputStream(new DigestOutputStream(file, blob)) {
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); size[0] += len; }
                @Override public void write(int b) throws IOException { out.write(b); size[0]++; }
            };
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(new DigestOutputStream(new GZIPOutputStream(counting, 65536), diff), "UTF-8")) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Path p : sorted(dir)) {
                    String name = dir.relativize(p).toString();
                    if (!options.skip().test(name)) writeEntry(out, p, name, options);
                }
            }
            Digest digest = Digest.fromMessageDigest(blob);
            into.adoptBlob(tmp, digest);
            return new Layer(digest, size[0], Digest.fromMessageDigest(diff));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeEntry(TarArchiveOutputStream out, Path p, String name, Options o) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int type = mode & S_IFMT;
        TarArchiveEntry e;
        boolean regular = false;
        if (o.overlayUpper() && type == S_IFCHR && ((Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)) == 0) {
            out.putArchiveEntry(whiteout(parentOf(name) + ".wh." + p.getFileName()));
            out.closeArchiveEntry();
            return;
        }
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            e.setMode(0120777);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(name + "/");
            e.setMode(mode & 07777 | 040000);
        } else if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO) {
            e = new TarArchiveEntry(name, type == S_IFCHR ? TarArchiveEntry.LF_CHR : type == S_IFBLK ? TarArchiveEntry.LF_BLK : TarArchiveEntry.LF_FIFO);
            long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            e.setDevMajor((int) ((rdev >> 8) & 0xfff));
            e.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)));
            e.setMode(mode & 07777);
        } else {
            e = new TarArchiveEntry(name);
            e.setSize(Files.size(p));
            e.setMode(mode & 07777 | 0100000);
            regular = true;
        }
        int[] owner = o.owners().get(name);
        if (owner == null && o.rootOwnsAll()) owner = new int[]{0, 0};
        if (owner == null) {
            owner = new int[]{(Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)};
        }
        e.setUserId(owner[0]);
        e.setGroupId(owner[1]);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(o.mtimeSeconds() * 1000);
        out.putArchiveEntry(e);
        if (regular) Files.copy(p, out);
        out.closeArchiveEntry();
        if (o.overlayUpper() && e.isDirectory() && "y".equals(Sys.lgetxattr(p.toString(), OverlayXattrs.opaque()))) {
            out.putArchiveEntry(whiteout(name + "/.wh..wh..opq"));
            out.closeArchiveEntry();
        }
    }

    private static TarArchiveEntry whiteout(String name) {
        TarArchiveEntry w = new TarArchiveEntry(name);
        w.setMode(0100000);
        w.setModTime(0);
        w.setUserName("");
        w.setGroupName("");
        return w;
    }

    private static String parentOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash + 1);
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
