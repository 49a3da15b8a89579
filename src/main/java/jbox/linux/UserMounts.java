package jbox.linux;


import jbox.linux.SecurePath;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static jbox.sys.Linux.*;

/**
 * The container's own mounts, made inside its mount namespace before pivot_root: binds of host
 * paths and volumes, tmpfs, then the root made read-only if asked. Every target is resolved with
 * SecurePath, so a symlink in the image cannot point a mount (or the directories made for it)
 * outside the container's root.
 */
public final class UserMounts {
    private UserMounts() {}

    public static void apply(Path root, List<MountPlan> mounts) throws IOException {
        // parents before children: /data before /data/cache
        List<MountPlan> ordered = mounts.stream().sorted(Comparator.comparingInt(r -> depth(r.mount().target()))).toList();
        for (MountPlan r : ordered) {
            Storage.Mount m = r.mount();
            boolean file = r.source() != null && Files.isRegularFile(r.source());
            Path target = file ? fileTarget(root, m.target()) : SecurePath.mkdirs(root, m.target());
            if (r.seed()) seed(target, r.source());
            if (m.type() == Storage.Type.TMPFS) {
                String opts = m.options() == null || m.options().isEmpty() ? "mode=1777" : m.options();
                Sys.mount("tmpfs", target.toString(), "tmpfs", MS_NOSUID | MS_NODEV, opts);
            } else {
                Sys.mount(r.source().toString(), target.toString(), null, MS_BIND | MS_REC, null);
                if (m.readOnly()) Sys.mount(null, target.toString(), null, MS_REMOUNT | MS_BIND | MS_RDONLY, null);
            }
        }
    }

    /** --read-only: the root's own mount becomes read-only; the mounts on it keep their own modes. */
    public static void readOnlyRoot(Path root) {
        Sys.mount(null, root.toString(), null, MS_REMOUNT | MS_BIND | MS_RDONLY, null);
    }

    private static int depth(String path) {
        return (int) path.chars().filter(c -> c == '/').count();
    }

    private static Path fileTarget(Path root, String target) throws IOException {
        Path resolved = SecurePath.resolve(root, target);
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = resolved.getParent();
            if (!parent.equals(root)) SecurePath.mkdirs(root, "/" + root.relativize(parent));
            Files.createFile(resolved);
        }
        return resolved;
    }

    /** docker's copy-up: a new, empty volume gets what the image has at the mount point. */
    private static void seed(Path imageDir, Path volume) throws IOException {
        try (Stream<Path> s = Files.list(volume)) {
            if (s.findAny().isPresent()) return;
        }
        if (!Files.isDirectory(imageDir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(imageDir)) {
            for (Path p : walk.sorted().toList()) {
                Path to = p.equals(imageDir) ? volume : volume.resolve(imageDir.relativize(p).toString());
                if (!p.equals(imageDir)) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(to);
                    else Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                if (!Files.isSymbolicLink(p)) Sys.chmod(to.toString(), (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
                Sys.lchown(to.toString(), (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            }
        }
    }
}
