package jbox.cgroup;

import jbox.sys.ProcFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the host's cgroup hierarchies from /proc/self/mountinfo and makes container cgroups
 * under a "jbox" parent. Three layouts exist: pure v2 (one unified tree), pure v1 (a tree per
 * controller) and hybrid (v1 controllers plus a cgroup2 mount holding none or a few, like this
 * project's CI machine). Controllers found in v1 trees are used there; on a pure v2 host the
 * unified tree is used.
 */
public final class Cgroups {
    /** Controller hierarchies that matter for containers; v1 mounts of other names are ignored. */
    static final List<String> V1_CONTROLLERS = List.of("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer", "blkio", "devices");

    private final List<Path> v1Dirs;
    private final Path v2Dir;
    private final String parent;

    private Cgroups(List<Path> v1Dirs, Path v2Dir, String parent) {
        this.v1Dirs = v1Dirs;
        this.v2Dir = v2Dir;
        this.parent = parent;
    }

    public static Cgroups detect() throws IOException {
        return fromMountinfo(ProcFiles.read(Path.of("/proc/self/mountinfo")), "jbox");
    }

    /** Parses mountinfo text; separate so layouts of other hosts can be tested. */
    static Cgroups fromMountinfo(String mountinfo, String parent) {
        List<Path> v1 = new ArrayList<>();
        Path unified = null;
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) continue;
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (left.length < 5 || right.length < 3) continue;
            Path mountPoint = Path.of(left[4]);
            if (right[0].equals("cgroup2")) {
                unified = mountPoint;
            } else if (right[0].equals("cgroup")) {
                for (String opt : right[2].split(",")) {
                    if (V1_CONTROLLERS.contains(opt) && !v1.contains(mountPoint)) v1.add(mountPoint);
                }
            }
        }
        return new Cgroups(v1, v1.isEmpty() ? unified : null, parent);
    }

    public String mode() { return v2Dir != null ? "v2" : v1Dirs.isEmpty() ? "none" : "v1"; }

    /** Creates (or reopens) the cgroup of a container. */
    public Cgroup forContainer(String id) throws IOException {
        String path = "/" + parent + "/" + id;
        if (v2Dir != null) return CgroupV2.create(v2Dir, path);
        if (!v1Dirs.isEmpty()) return CgroupV1.create(v1Dirs, path);
        return null;
    }

    /** The container's cgroup if it still exists, without creating it. */
    public Cgroup existing(String id) {
        String path = "/" + parent + "/" + id;
        if (v2Dir != null) return CgroupV2.existing(v2Dir, path);
        if (!v1Dirs.isEmpty()) return CgroupV1.existing(v1Dirs, path);
        return null;
    }
}
