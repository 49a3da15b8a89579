package jbox.image;

import jbox.io.AtomicFiles;

import jbox.sys.Errnos;
import jbox.sys.Failure;
import jbox.sys.Linux;
import jbox.sys.OverlayXattrs;
import jbox.sys.Places;
import jbox.sys.Sys;
import jbox.sys.SyscallException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Unpacks one layer tarball into its own directory, in the form overlayfs uses for a lower
 * layer: an OCI whiteout ".wh.NAME" becomes a 0:0 character device NAME, and ".wh..wh..opq"
 * marks its directory opaque with overlayfs's opaque xattr (OverlayXattrs).
 *
 * <p>Every entry is checked before anything is written: no absolute paths, no "..", never
 * writing through a symlink, no symlink or hard link that points above the layer's root.
 * A hostile entry aborts the whole unpack; the caller unpacks into a temp dir and throws it away.
 */
public final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final boolean privileged;
    /** A build context, not a layer: its names are plain files, and its links may point anywhere (they are never followed here). */
    private final boolean context;
    /** docker cp into a container: owners from the tar only with -a (else root's), and a directory never replaced by a file or back. */
    private final boolean copy, keepOwners;
    private final List<Path> dirs = new ArrayList<>();
    private final List<FileTime> dirTimes = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private LayerUnpacker(Path root, boolean privileged, boolean context, boolean copy, boolean keepOwners) {
        this.root = root;
        this.privileged = privileged;
        this.context = context;
        this.copy = copy;
        this.keepOwners = keepOwners;
    }

    /** Unpacks an uncompressed tar stream into dir (which must exist). Returns warnings for the user. */
    public static List<String> unpack(InputStream tar, Path dir) throws IOException { return unpack(tar, dir, false); }

    /**
     * A build context sent by a client: the same checks, except that ".wh." names are ordinary files and
     * a symbolic link may point out of the directory, as the client's files may; the builder follows a
     * link only while it stays inside the context.
     */
    public static List<String> unpackContext(InputStream tar, Path dir) throws IOException { return unpack(tar, dir, true); }

    /**
     * docker cp's archive into a directory of a container, checked as a build context is (links are
     * never followed, nothing is written through one); owned by root unless keepOwners (docker cp -a).
     */
    public static List<String> unpackCopy(InputStream tar, Path dir, boolean keepOwners) throws IOException {
        return run(new LayerUnpacker(dir, Sys.isRoot(), true, true, keepOwners), tar);
    }

    private static List<String> unpack(InputStream tar, Path dir, boolean context) throws IOException {
        return run(new LayerUnpacker(dir, Sys.isRoot(), context, false, true), tar);
    }

    private static List<String> run(LayerUnpacker u, InputStream tar) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) u.apply(e, in);
        }
        u.finish();
        return u.warnings;
    }

    private void apply(TarArchiveEntry e, InputStream data) throws IOException {
        String name = clean(e.getName(), e.getName());
        if (name.isEmpty()) return; // the layer's root itself
        Path target = root.resolve(name);
        Path parent = target.getParent();
        ensureParents(e.getName(), parent);
        String base = target.getFileName().toString();

        if (base.equals(OPAQUE) && !context) {
            if (privileged) Sys.lsetxattr(parent.toString(), OverlayXattrs.opaque(), "y".getBytes(StandardCharsets.US_ASCII));
            else warnings.add("cannot mark " + root.relativize(parent) + " opaque without root");
            return;
        }
        if (base.startsWith(WHITEOUT) && !context) {
            Path hidden = parent.resolve(base.substring(WHITEOUT.length()));
            clean(root.relativize(hidden).toString(), e.getName());
            removeExisting(hidden);
            if (privileged) Sys.mknod(hidden.toString(), Linux.S_IFCHR, 0);
            else warnings.add("cannot record deletion of " + root.relativize(hidden) + " without root");
            return;
        }

        if (copy && Files.exists(target, NOFOLLOW) && e.isDirectory() != Files.isDirectory(target, NOFOLLOW)) {
            throw new HostileLayerException(e.getName(), e.isDirectory() ? "it is a directory, and \"" + name + "\" exists as a file there"
                    : "\"" + name + "\" exists as a directory there, and a copy never replaces a directory with a file");
        }
        if (e.isDirectory()) {
            if (Files.exists(target, NOFOLLOW) && !Files.isDirectory(target, NOFOLLOW)) removeExisting(target);
            if (!Files.exists(target, NOFOLLOW)) Files.createDirectory(target);
            dirs.add(target);
            dirTimes.add(FileTime.fromMillis(e.getModTime().getTime()));
        } else if (e.isSymbolicLink()) {
            String link = e.getLinkName();
            if (!context && !link.startsWith("/") && escapes(root.relativize(parent).toString(), link)) {
                throw new HostileLayerException(e.getName(), "it is a symbolic link to \"" + link + "\", which points above the image's root");
            }
            removeExisting(target);
            Files.createSymbolicLink(target, Path.of(link));
        } else if (e.isLink()) {
            String linkName = clean(e.getLinkName(), e.getName());
            Path source = root.resolve(linkName);
            ensureParents(e.getName(), source.getParent());
            if (!Files.exists(source, NOFOLLOW)) {
                throw new HostileLayerException(e.getName(), "it is a hard link to \"" + e.getLinkName() + "\", which is not in this layer");
            }
            removeExisting(target);
            Files.createLink(target, source);
            return; // a hard link shares its inode: owner, mode and times are the source's
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            removeExisting(target);
            if (e.isFIFO()) {
                Sys.mkfifo(target.toString(), 0600);
            } else if (privileged) {
                int type = e.isCharacterDevice() ? Linux.S_IFCHR : Linux.S_IFBLK;
                Sys.mknod(target.toString(), type | 0600, Linux.makedev(e.getDevMajor(), e.getDevMinor()));
            } else {
                warnings.add("skipped device node " + name + " (creating devices needs root)");
                return;
            }
        } else if (e.isFile()) {
            removeExisting(target);
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                data.transferTo(out);
            }
        } else {
            warnings.add("skipped " + name + ": unsupported tar entry type '" + (char) e.getLinkFlag() + "'");
            return;
        }
        applyMetadata(e, target);
    }

    private void chown(TarArchiveEntry e, Path target) {
        int uid = keepOwners ? (int) e.getLongUserId() : 0, gid = keepOwners ? (int) e.getLongGroupId() : 0;
        try {
            Sys.lchown(target.toString(), uid, gid);
        } catch (SyscallException ex) {
            if (ex.errno() != Errnos.EINVAL || !Places.rootless()) throw ex;
            throw new Failure("cannot unpack " + e.getName() + ": it belongs to uid " + uid + ", gid " + gid + ", which your user namespace does not have ("
                    + Places.uidMap() + ")", "jbox runs without root, and /etc/subuid and /etc/subgid give you no range of ids, so only root (you) exists inside",
                    "ask the administrator for one (sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + System.getenv().getOrDefault("USER", "USER")
                            + "), then end every jbox of yours so the next one maps it");
        }
    }

    private void applyMetadata(TarArchiveEntry e, Path target) throws IOException {
        boolean link = e.isSymbolicLink();
        if (privileged) chown(e, target);
        if (!link) Sys.chmod(target.toString(), e.getMode() & 07777);
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            if (h.getKey().startsWith("SCHILY.xattr.") && privileged) {
                Sys.lsetxattr(target.toString(), h.getKey().substring(13), h.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (!e.isDirectory()) {
            FileTime t = FileTime.fromMillis(e.getModTime().getTime());
            Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, t, null);
        }
    }

    /** Directory times last: creating their children changed them. */
    private void finish() throws IOException {
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Files.getFileAttributeView(dirs.get(i), BasicFileAttributeView.class, NOFOLLOW).setTimes(dirTimes.get(i), dirTimes.get(i), null);
        }
    }

    /** Normalises an entry name to a relative path; refuses absolute paths and "..". */
    static String clean(String name, String entry) throws HostileLayerException {
        if (name.startsWith("/")) throw new HostileLayerException(entry, "it has an absolute path; layer paths must be relative to the image's root");
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw new HostileLayerException(entry, "its path contains \"..\", which could climb out of the image's root");
            if (part.indexOf('\0') >= 0) throw new HostileLayerException(entry, "its path contains a NUL byte");
            if (out.length() > 0) out.append('/');
            out.append(part);
        }
        return out.toString();
    }

    /** True if following the relative link from dir would climb above the root. */
    static boolean escapes(String dir, String link) {
        int depth = dir.isEmpty() ? 0 : dir.split("/").length;
        for (String part : link.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (--depth < 0) return true;
            } else {
                depth++;
            }
        }
        return false;
    }

    /** Creates missing parents; refuses to go through anything that is not a real directory. */
    private void ensureParents(String entry, Path dir) throws IOException {
        Path rel = root.relativize(dir);
        Path cur = root;
        for (Path part : rel) {
            if (part.toString().isEmpty()) continue;
            cur = cur.resolve(part);
            if (Files.isSymbolicLink(cur)) {
                throw new HostileLayerException(entry, "it would be written through the symbolic link \"" + root.relativize(cur) + "\"");
            }
            if (!Files.exists(cur, NOFOLLOW)) {
                Files.createDirectory(cur);
            } else if (!Files.isDirectory(cur, NOFOLLOW)) {
                throw new HostileLayerException(entry, "its parent \"" + root.relativize(cur) + "\" is not a directory");
            }
        }
    }

    private static void removeExisting(Path p) throws IOException {
        AtomicFiles.deleteTree(p);
    }
}
