package jbox.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Host layouts jbox must recognise, from real mountinfo lines. */
class CgroupsTest {
    static final String HYBRID = """
            34 25 0:29 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            35 34 0:30 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
            36 34 0:31 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
            39 34 0:34 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
            40 34 0:35 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpu,cpuacct
            41 34 0:36 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
            """;
    static final String PURE_V2 = """
            30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    @Test
    void hybridHostsUseTheV1ControllerTrees() {
        Cgroups c = Cgroups.fromMountinfo(HYBRID, "jbox", false);
        assertEquals("hybrid", c.mode());
        assertEquals("v1 /sys/fs/cgroup/memory", c.controllers().get("memory"));
        assertEquals("v1 /sys/fs/cgroup/cpu,cpuacct", c.controllers().get("cpu"));
    }

    @Test
    void pureV2HostsUseTheUnifiedTree() {
        assertEquals("v2", Cgroups.fromMountinfo(PURE_V2, "jbox", false).mode());
    }

    @Test
    void hostsWithoutCgroupsAreRecognised() {
        assertEquals("none", Cgroups.fromMountinfo("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "jbox", false).mode());
    }
}
