package jbox.engine;

import jbox.cgroup.Cgroup;
import jbox.image.HostileLayerException;
import jbox.image.LayerUnpacker;
import jbox.io.FileLock;
import jbox.linux.SecurePath;
import jbox.runtime.ContainerStart;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;
import jbox.sys.Failure;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * docker cp: files out of and into a container, in its filesystem as its processes see it (image,
 * writable layer, volumes, bind mounts). Every path is resolved inside the container's root: a symbolic
 * link in the container (even /etc -> /) never leads a copy to a host file, and nothing is written
 * through one. A running container is frozen during the copy, so none of its processes can swap a
 * directory for a link meanwhile; a stopped one gets its filesystem from the start sequence, in a
 * process that never runs its program (see {@link Lifecycle#filesystemView}).
 */
public final class ContainerFiles {
    /** The kernel's own trees, which a copy of "/" does not descend into (as docker's). */
    private static final Set<String> NOT_COPIED = Set.of("proc", "sys", "dev");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Engine engine;

    ContainerFiles(Engine engine) { this.engine = engine; }

    /** docker's container path stat (the X-Docker-Container-Path-Stat header): mode is Go's os.FileMode. */
    public record PathStat(String name, long size, long mode, String mtime, String linkTarget) {}

    @FunctionalInterface
    private interface Work<T> {
        T in(Path root) throws IOException;
    }

    /** HEAD /containers/{id}/archive: the entry a path names, not following a last symbolic link. */
    public PathStat stat(String container, String path) {
        return inRoot(container, path, false, null, root -> stat(root, path, target(root, path)));
    }

    /** GET /containers/{id}/archive: the stat, then a tar of the entry (a directory with all under it) to out. */
    public void read(String container, String path, java.util.function.Consumer<PathStat> beforeData, OutputStream out) {
        inRoot(container, path, false, "archive-path", root -> {
            Path entry = target(root, path);
            beforeData.accept(stat(root, path, entry));
            // a copy of "/" does not descend into the kernel's own trees, as docker's does not
            jbox.io.TarTrees.write(entry, rebaseName(path), out,
                    dir -> dir.equals(entry) || root.relativize(dir).getNameCount() != 1 || !NOT_COPIED.contains(root.relativize(dir).toString()));
            return null;
        });
    }

    /** PUT /containers/{id}/archive: unpacks a tar into the directory path names. keepOwners: docker cp -a. */
    public void write(String container, String path, InputStream tar, boolean keepOwners) {
        inRoot(container, path, true, "extract-to-dir", root -> {
            Path dir = SecurePath.resolve(root, absolute(path));
            if (!Files.exists(dir, NOFOLLOW)) throw notFound(container, path);
            if (!Files.isDirectory(dir, NOFOLLOW)) {
                throw new Failure("extraction point is not a directory: " + path, "a copy into a container unpacks into a directory",
                        "name a directory of the container, or its parent").httpStatus(400);
            }
            try {
                LayerUnpacker.unpackCopy(tar, dir, keepOwners);
            } catch (HostileLayerException e) {
                throw new Failure("cannot copy " + e.entry() + " into " + path + ": " + e.why(), "the copy would write outside the place it names",
                        "copy the files themselves, not a link to them").httpStatus(400);
            }
            return null;
        });
    }

    /** The work in the container's root; then docker's event (event null: none). */
    private <T> T inRoot(String container, String path, boolean writes, String event, Work<T> work) {
        ContainerState s = engine.lifecycle().inspect(container);
        try {
            T done = inRootNow(s, work);
            if (event != null) engine.events().container(s, event, Map.of());
            return done;
        } catch (SecurePath.EscapeException | NoSuchFileException e) {
            throw notFound(container, path);
        } catch (java.nio.file.ReadOnlyFileSystemException | java.nio.file.AccessDeniedException e) {
            throw readOnly(s, path);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Read-only file system")) throw readOnly(s, path);
            throw Errors.explain(e, (writes ? "cannot copy into " : "cannot copy from ") + container + ":" + path);
        }
    }

    private <T> T inRootNow(ContainerState s, Work<T> work) throws IOException {
        if (s.status().hasProcess()) return whileFrozen(s, work);
        try (FileLock ignored = engine.containers().lock(s.id())) {
            ContainerState now = engine.containers().load(s.id());
            if (now.status().hasProcess()) return whileFrozen(now, work); // started meanwhile
            ContainerStart.Created view = engine.lifecycle().filesystemView(now);
            try {
                return inRootOf(view.pid, view.startTime, work);
            } finally {
                engine.lifecycle().endFilesystemView(now, view);
            }
        }
    }

    private static Failure readOnly(ContainerState s, String path) {
        return new Failure("cannot copy into " + path + " of container " + s.name() + ": it is read-only",
                "the container's root (--read-only) or a volume is mounted read-only", "copy into a writable place").httpStatus(403);
    }

    /** The copy sees the files as they are: none of the container's processes runs while it reads or writes. */
    private <T> T whileFrozen(ContainerState s, Work<T> work) throws IOException {
        Cgroup cg = engine.cgroupOf(s);
        boolean freezeHere = cg != null && s.status() == Status.RUNNING && !cg.frozen();
        if (freezeHere) cg.freeze();
        try {
            return inRootOf(s.pid(), s.pidStartTime(), work);
        } finally {
            if (freezeHere) cg.thaw();
        }
    }

    /**
     * The work in the root of a process, held open by a descriptor taken while that process is
     * still the one meant: a pid reused by a host process after the container ended can never make
     * the copy reach the host's root. Paths under /proc/self/fd/N walk the container's own mounts.
     */
    private static <T> T inRootOf(int pid, long startTime, Work<T> work) throws IOException {
        int fd = Sys.open("/proc/" + pid + "/root", Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
        try {
            if (!jbox.sys.Processes.isSame(pid, startTime)) {
                throw new Failure("the container's process ended during the copy", "it exited or was stopped meanwhile", "copy again");
            }
            return work.in(Path.of("/proc/self/fd", Integer.toString(fd), "."));
        } finally {
            Sys.close(fd);
        }
    }

    private static Failure notFound(String container, String path) {
        return new Failure("Could not find the file " + path + " in container " + container, "no such file or directory there",
                "list the directory with jbox exec " + container + " ls, or check the path").httpStatus(404);
    }

    private static String absolute(String path) { return path.startsWith("/") ? path : "/" + path; }

    /** The entry a path names: its directories resolved inside root, the last part itself unless the path ends in / or /. */
    static Path target(Path root, String path) throws IOException {
        String p = absolute(path);
        String trimmed = p.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        String base = trimmed.substring(slash + 1);
        if (p.endsWith("/") || base.isEmpty() || base.equals(".") || base.equals("..")) return SecurePath.resolve(root, p);
        return SecurePath.resolve(root, trimmed.substring(0, slash)).resolve(base);
    }

    /** The name the archive's top entry gets: the path's last part ("." for /dir/. and /), as docker's. */
    static String rebaseName(String path) {
        String trimmed = absolute(path).replaceAll("/+$", "");
        String base = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return base.isEmpty() ? "." : base;
    }

    /** The stat of t, the entry path names in root. */
    private static PathStat stat(Path root, String path, Path t) throws IOException {
        Map<String, Object> a = Files.readAttributes(t, "unix:mode,size,lastModifiedTime", NOFOLLOW);
        int mode = (Integer) a.get("mode");
        String link = "";
        if (Files.isSymbolicLink(t)) link = "/" + root.relativize(SecurePath.resolve(root, absolute(path)));
        return new PathStat(rebaseName(path), (Long) a.get("size"), goMode(mode), a.get("lastModifiedTime").toString(), link);
    }

    /** Go's os.FileMode: the permission bits, and the type and special bits high up. */
    static long goMode(int unix) {
        long m = unix & 0777;
        if ((unix & 04000) != 0) m |= 1L << 23;
        if ((unix & 02000) != 0) m |= 1L << 22;
        if ((unix & 01000) != 0) m |= 1L << 20;
        switch (unix & 0170000) {
            case 0040000 -> m |= 1L << 31;
            case 0120000 -> m |= 1L << 27;
            case 0010000 -> m |= 1L << 25;
            case 0140000 -> m |= 1L << 24;
            case 0060000 -> m |= 1L << 26;
            case 0020000 -> m |= (1L << 26) | (1L << 21);
            default -> { }
        }
        return m;
    }


}
