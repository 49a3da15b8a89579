package jbox.cgroup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cgroup drivers against fake cgroupfs trees laid out as the kernel lays them out (file names
 * and formats from Documentation/admin-guide/cgroup-v2.rst and cgroup-v1/*.rst). This is how the
 * pure-v2 driver is covered: the CI machine's unified tree holds no controllers. The real
 * kernel checks the v1 driver in CgroupLimitsTest and the v2 core files in UnifiedTreeTest.
 */
class FakeTreeTest {
    @TempDir Path tmp;
    final List<String> writes = new ArrayList<>();

    @AfterEach
    void stopTracing() { CgroupFiles.trace(null); }

    private void trace(Path mount) {
        CgroupFiles.trace((file, value) -> writes.add(mount.relativize(file) + " <- " + value));
    }

    private static void put(Path dir, String file, String content) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), content);
    }

    static final Resources ALL = new Resources(32L << 20, 64L << 20, 50_000L, 512L, "0", 20L, 500,
            List.of(new Resources.DeviceRate("/dev/vda", 254, 0, 1 << 20)), List.of(new Resources.DeviceRate("/dev/vda", 254, 0, 2 << 20)));

    @Test
    void pureV2EnablesControllersDownTheTreeAndWritesV2Files() throws Exception {
        Path mount = tmp.resolve("cgroup");
        put(mount, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        put(mount, "cgroup.subtree_control", "memory pids\n");
        Path jbox = mount.resolve("jbox");
        put(jbox, "cgroup.controllers", "cpuset cpu io memory pids\n");
        put(jbox, "cgroup.subtree_control", "");
        Path dir = jbox.resolve("c1");
        put(dir, "io.weight", "default 100\n");

        Cgroups cgroups = Cgroups.fromMountinfo("30 23 0:26 / " + mount + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "jbox", false);
        assertEquals("v2", cgroups.mode());
        trace(mount);
        Cgroup g;
        // the device program goes to the kernel through the syscall seam: recorded here, not loaded
        try (jbox.sys.RecordingKernel kernel = new jbox.sys.RecordingKernel()) {
            g = cgroups.forContainer("c1");
            assertEquals(List.of("5", "8"), kernel.calls().stream().filter(c -> c.name().equals("bpf")).map(c -> c.arg(0))
                    .filter(cmd -> cmd.equals("5") || cmd.equals("8")).toList(), "on v2 a device program is loaded and attached to the new group");
        }
        assertFalse(g.joinThread(1234), "v2 moves whole processes only");
        g.apply(ALL);
        assertEquals(List.of(
                "cgroup.subtree_control <- +cpuset", "cgroup.subtree_control <- +cpu", "cgroup.subtree_control <- +io",
                "jbox/cgroup.subtree_control <- +cpuset", "jbox/cgroup.subtree_control <- +cpu", "jbox/cgroup.subtree_control <- +io",
                "jbox/cgroup.subtree_control <- +memory", "jbox/cgroup.subtree_control <- +pids",
                "jbox/c1/memory.max <- 33554432",
                "jbox/c1/cpu.max <- 50000 100000", "jbox/c1/cpu.weight <- 20", "jbox/c1/cpuset.cpus <- 0",
                "jbox/c1/pids.max <- 20",
                "jbox/c1/io.weight <- default 4950", "jbox/c1/io.max <- 254:0 rbps=1048576", "jbox/c1/io.max <- 254:0 wbps=2097152"), writes);

        put(dir, "memory.current", "5000000\n");
        put(dir, "memory.stat", "anon 4000000\nfile 1000000\ninactive_file 1000000\n");
        put(dir, "memory.peak", "9000000\n");
        put(dir, "memory.max", "33554432\n");
        put(dir, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        put(dir, "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        put(dir, "pids.current", "7\n");
        put(dir, "pids.max", "20\n");
        put(dir, "io.stat", "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
        assertEquals(new Usage(2_500_000_000L, 4_000_000, 9_000_000, 33554432, 7, 20, 4097, 8192, 1), g.usage());

        put(dir, "cgroup.events", "populated 1\nfrozen 1\n");
        writes.clear();
        g.freeze();
        assertEquals(List.of("jbox/c1/cgroup.freeze <- 1"), writes);
        assertTrue(g.frozen());
    }

    @Test
    void v2WithoutSwapAccountingSkipsTheSwapLimit() throws Exception {
        Path mount = tmp.resolve("cgroup");
        put(mount, "cgroup.controllers", "memory\n");
        put(mount, "cgroup.subtree_control", "memory\n");
        put(mount.resolve("jbox"), "cgroup.controllers", "memory\n");
        put(mount.resolve("jbox"), "cgroup.subtree_control", "memory\n");
        put(mount.resolve("jbox/c2"), "memory.swap.max", "max\n");
        Cgroup g;
        try (jbox.sys.RecordingKernel kernel = new jbox.sys.RecordingKernel()) {
            g = Cgroups.fromMountinfo("30 23 0:26 / " + mount + " rw - cgroup2 cgroup2 rw\n", "jbox", false).forContainer("c2");
        }
        trace(mount);
        g.apply(new Resources(32L << 20, -1L, null, null, null, null, null, null, null));
        assertEquals(List.of("jbox/c2/memory.max <- 33554432", "jbox/c2/memory.swap.max <- max"), writes);
    }

    @Test
    void v1WritesTheV1FilesOfEachControllerTree() throws Exception {
        StringBuilder mountinfo = new StringBuilder();
        for (String c : List.of("memory", "cpu,cpuacct", "cpuset", "pids", "blkio", "freezer")) {
            Path m = tmp.resolve(c);
            Files.createDirectories(m);
            mountinfo.append("40 34 0:35 / ").append(m).append(" rw,nosuid - cgroup cgroup rw,").append(c).append('\n');
        }
        put(tmp.resolve("memory/jbox/c3"), "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        put(tmp.resolve("blkio/jbox/c3"), "blkio.bfq.weight", "100\n");
        Cgroups cgroups = Cgroups.fromMountinfo(mountinfo.toString(), "jbox", false);
        assertEquals("v1", cgroups.mode());
        trace(tmp);
        Cgroup g = cgroups.forContainer("c3");
        g.apply(ALL);
        assertEquals(List.of(
                "memory/jbox/c3/memory.limit_in_bytes <- 33554432", "memory/jbox/c3/memory.memsw.limit_in_bytes <- 67108864",
                "cpu,cpuacct/jbox/c3/cpu.cfs_period_us <- 100000", "cpu,cpuacct/jbox/c3/cpu.cfs_quota_us <- 50000",
                "cpu,cpuacct/jbox/c3/cpu.shares <- 512", "cpuset/jbox/c3/cpuset.cpus <- 0",
                "pids/jbox/c3/pids.max <- 20",
                "blkio/jbox/c3/blkio.bfq.weight <- 500", "blkio/jbox/c3/blkio.throttle.read_bps_device <- 254:0 1048576",
                "blkio/jbox/c3/blkio.throttle.write_bps_device <- 254:0 2097152"), writes);

        writes.clear();
        assertTrue(g.joinThread(4321), "v1 lets one thread join");
        assertTrue(writes.stream().allMatch(w -> w.endsWith("/jbox/c3/tasks <- 4321")), writes.toString());
        assertEquals(6, writes.size(), "one write per tree: six trees, cpu and cpuacct share one");
    }

    @Test
    void aMissingControllerIsNamedWithTheFlag() throws Exception {
        Path m = tmp.resolve("pids");
        Files.createDirectories(m);
        Cgroup g = Cgroups.fromMountinfo("40 34 0:35 / " + m + " rw - cgroup cgroup rw,pids\n", "jbox", false).forContainer("c4");
        CgroupException e = assertThrows(CgroupException.class, () -> g.apply(new Resources(32L << 20, null, null, null, null, null, null, null, null)));
        assertTrue(e.getMessage().startsWith("--memory needs the cgroup \"memory\" controller, which this host does not offer"), e.getMessage());
    }

    @Test
    void hybridUsesV1ForWhatV1HoldsAndV2ForTheRest() throws Exception {
        Path unified = tmp.resolve("unified");
        put(unified, "cgroup.controllers", "pids\n");
        Path mem = tmp.resolve("memory");
        Files.createDirectories(mem);
        Cgroups c = Cgroups.fromMountinfo("35 34 0:30 / " + unified + " rw - cgroup2 cgroup2 rw\n"
                + "39 34 0:34 / " + mem + " rw - cgroup cgroup rw,memory\n", "jbox", false);
        assertEquals("hybrid", c.mode());
        assertTrue(c.controllers().get("memory").startsWith("v1 "));
        assertTrue(c.controllers().get("pids").startsWith("v2 "));
    }

    @Test
    void sharesMapOntoV2WeightsAsRuncDoes() {
        assertEquals(1, Cpu.weightFromShares(2));
        assertEquals(39, Cpu.weightFromShares(1024));
        assertEquals(10000, Cpu.weightFromShares(262144));
    }

    @Test
    void sizesParseLikeDockers() {
        assertEquals(32L << 20, Units.parseBytes("32m"));
        assertEquals(32L << 20, Units.parseBytes("32MB"));
        assertEquals(1L << 30, Units.parseBytes("1g"));
        assertEquals(512, Units.parseBytes("512"));
        assertEquals(1536, Units.parseBytes("1.5k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("10Q")).getMessage().contains("invalid size: '10Q'"));
        assertEquals("32MiB", Units.binary(32L << 20));
    }
}
