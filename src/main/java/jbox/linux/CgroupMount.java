package jbox.linux;

import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static jbox.sys.Linux.*;

/**
 * A "cgroup" mount in config.json: the container sees its own cgroup where the host has its
 * hierarchies: Docker's /sys/fs/cgroup. On a pure v2 host with a cgroup namespace, cgroup2 itself
 * (its root is the namespace's, the container's cgroup); without one, a bind of the container's
 * directory. On v1, as runc, a tmpfs holding a bind of the container's directory in each hierarchy
 * and the host's links such as cpu -> cpu,cpuacct; a hierarchy without one stays an empty
 * directory, so nothing of the host's other groups shows.
 */
public final class CgroupMount {
    private static final Path HOST = Path.of("/sys/fs/cgroup");

    private CgroupMount() {}

    public static void mount(Path target, long flags, String cgroupsPath, boolean ownNamespace) throws IOException {
        long keep = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_RDONLY);
        String sub = cgroupsPath == null ? "" : cgroupsPath.replaceFirst("^/", "");
        if (Files.exists(HOST.resolve("cgroup.controllers"))) {
            if (ownNamespace) {
                Sys.mount("cgroup2", target.toString(), "cgroup2", keep, null);
            } else {
                bind(HOST.resolve(sub), target, keep);
            }
            return;
        }
        Sys.mount("tmpfs", target.toString(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
        try (Stream<Path> s = Files.list(HOST)) {
            for (Path h : s.sorted().toList()) {
                Path t = target.resolve(h.getFileName().toString());
                if (Files.isSymbolicLink(h)) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(h));
                } else if (Files.isDirectory(h)) {
                    Files.createDirectory(t);
                    Path mine = h.resolve(sub);
                    if (Files.isDirectory(mine)) bind(mine, t, keep);
                }
            }
        }
        if ((keep & MS_RDONLY) != 0) Sys.mount(null, target.toString(), null, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
    }

    private static void bind(Path source, Path target, long flags) {
        Sys.mount(source.toString(), target.toString(), null, MS_BIND, null);
        Sys.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | flags, null);
    }
}
