package jbox.cgroup;

import java.nio.file.Path;

/** The pids controller: pids.max caps how many processes may exist at once (a fork bomb stops there), pids.current counts them. */
final class Pids {
    private Pids() {}

    static void apply(ContainerCgroup g, Resources r) {
        if (r.pidsLimit() == null) return;
        Path dir = g.require("pids", "--pids-limit");
        CgroupFiles.write(dir.resolve("pids.max"), r.pidsLimit() <= 0 ? "max" : Long.toString(r.pidsLimit()));
    }

    static long current(ContainerCgroup g) {
        Path dir = g.dir("pids");
        return dir == null ? -1 : Memory.number(dir.resolve("pids.current"));
    }

    static long limit(ContainerCgroup g) {
        Path dir = g.dir("pids");
        return dir == null ? -1 : Memory.number(dir.resolve("pids.max"));
    }
}
