package jbox.cgroup;

import java.nio.file.Path;

/**
 * Task control: stopping every process of a group at once and letting them go on later.
 * v1: freezer.state FROZEN / THAWED (FREEZING while in progress). v2: cgroup.freeze 1 / 0, with
 * "frozen 1" in cgroup.events once done.
 */
final class Freezer {
    private Freezer() {}

    static void set(ContainerCgroup g, boolean freeze) {
        Path v1 = g.dir("freezer");
        if (v1 != null && !g.isUnified("freezer")) {
            CgroupFiles.write(v1.resolve("freezer.state"), freeze ? "FROZEN" : "THAWED");
            awaitState(() -> CgroupFiles.read(v1.resolve("freezer.state")).equals(freeze ? "FROZEN" : "THAWED"));
            return;
        }
        Path core = g.core();
        if (core == null) throw new CgroupException("pause needs the v1 freezer controller or cgroup v2, and this host has neither", null);
        CgroupFiles.write(core.resolve("cgroup.freeze"), freeze ? "1" : "0");
        awaitState(() -> Memory.field(core.resolve("cgroup.events"), "frozen") == (freeze ? 1 : 0));
    }

    static boolean isFrozen(ContainerCgroup g) {
        Path v1 = g.dir("freezer");
        if (v1 != null && !g.isUnified("freezer")) return !CgroupFiles.read(v1.resolve("freezer.state")).equals("THAWED");
        Path core = g.core();
        return core != null && java.nio.file.Files.exists(core.resolve("cgroup.freeze")) && Memory.number(core.resolve("cgroup.freeze")) == 1;
    }

    private static void awaitState(java.util.function.BooleanSupplier done) {
        for (int i = 0; i < 1000 && !done.getAsBoolean(); i++) ContainerCgroup.sleepQuietly(1);
    }
}
