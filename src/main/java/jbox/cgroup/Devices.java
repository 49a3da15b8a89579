package jbox.cgroup;

import jbox.sys.Places;

import java.nio.file.Path;
import java.util.List;

/**
 * The devices controller (v1): which device nodes a container may open. Docker's default list:
 * anything may be created (mknod), but only the harmless character devices may be read or
 * written, so a device node shipped in an image or made inside (say, the host's disk) stays closed.
 * cgroup v2 has no devices files: there the same list becomes an eBPF program ({@link DeviceFilter}).
 */
final class Devices {
    static final List<String> ALLOWED = List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
            "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm");

    private Devices() {}

    /**
     * Returns false where the host has no v1 devices controller, and without root: there the kernel
     * lets no one make a device node, the container reaches only host nodes bound in, with the user's own
     * permissions, and loading a device program needs CAP_SYS_ADMIN on the host (rootless runc and crun skip it too).
     */
    static boolean restrict(ContainerCgroup g) {
        if (Places.rootless()) return false;
        Path dir = g.dir("devices");
        if (dir == null || g.isUnified("devices")) {
            if (g.core() == null) return false;
            DeviceFilter.attach(g.core(), ALLOWED);
            return true;
        }
        CgroupFiles.write(dir.resolve("devices.deny"), "a");
        for (String rule : ALLOWED) CgroupFiles.write(dir.resolve("devices.allow"), rule);
        return true;
    }

    /** OCI rules in order ("allow RULE" or "deny RULE"), then the default list again, as runc appends its allowed devices after the spec's rules. */
    static void add(ContainerCgroup g, List<String> rules) {
        if (Places.rootless()) return;
        Path dir = g.dir("devices");
        if (dir == null || g.isUnified("devices")) {
            if (g.core() == null) return;
            List<String> all = new java.util.ArrayList<>(rules);
            all.addAll(ALLOWED);
            DeviceFilter.attach(g.core(), all);
            return;
        }
        for (String r : rules) {
            boolean allow = r.startsWith("allow ");
            CgroupFiles.write(dir.resolve(allow ? "devices.allow" : "devices.deny"), r.substring(allow ? 6 : 5));
        }
        for (String rule : ALLOWED) CgroupFiles.write(dir.resolve("devices.allow"), rule);
    }
}
