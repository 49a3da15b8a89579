package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;
import jbox.sys.Linux;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The four jobs of cgroups, seen for real on this machine's kernel (cgroup v1 controllers on a
 * hybrid host): limits, priority, accounting and task control. Each test runs a probe inside a
 * container (a memory hog, a fork bomb, a busy loop) and reads what the kernel accounted.
 */
@org.junit.jupiter.api.Tag("exclusive") // measures CPU shares, time or load: alone, after the others
class CgroupLimitsTest extends RealEngineTest {
    private String runDetached(String... args) throws Exception {
        String[] full = new String[args.length + 2];
        full[0] = "run";
        full[1] = "-d";
        System.arraycopy(args, 0, full, 2, args.length);
        var r = jbox.run(full);
        assertEquals(0, r.code(), r.all());
        return r.out().trim();
    }

    private JsonNode usage(String id) throws Exception {
        var r = jbox.run("inspect", "-f", "{{json .JboxUsage}}", id);
        assertEquals(0, r.code(), r.all());
        return Json.MAPPER.readTree(r.out());
    }

    private void rm(String id) throws Exception {
        var r = jbox.run("rm", "-f", id);
        assertEquals(0, r.code(), r.all());
        assertTrue(Jbox.cgroupsOf(id).isEmpty(), "its cgroup is removed");
    }

    @Test
    void memoryOverTheLimitIsOomKilledAndReported() throws Exception {
        var r = jbox.run("run", "--rm", "-m", "32m", "busybox", "sh", "-c", "head -c 100m /dev/zero | tail > /dev/null");
        assertEquals(137, r.code(), r.all());
        assertTrue(r.err().contains("killed for memory") && r.err().contains("32MiB"), r.err());
        // The child asks to be the OOM killer's first choice (raising one's own oom_score_adj needs no privilege): else, under
        // load, the kernel may pick the shell too before the child's memory is back.
        var child = jbox.run("run", "--rm", "-m", "32m", "busybox", "sh", "-c",
                "(echo 1000 > /proc/self/oom_score_adj && head -c 100m /dev/zero | tail > /dev/null); true");
        assertEquals(0, child.code(), "the main program went on after the OOM killer ended its child: " + child.all());
        assertTrue(child.err().contains("OOM killer ended a process") && child.err().contains("exited with code 0")
                && !child.err().contains("exit 137"), child.err());

        String id = runDetached("-m", "32m", "busybox", "sh", "-c", "head -c 100m /dev/zero | tail > /dev/null");
        Eventually.waitFor(() -> jbox.run("inspect", "-f", "{{.State.Status}}", id).out().equals("exited\n"), "the container to be OOM-killed");
        assertEquals("true 137 33554432\n", jbox.run("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}", id).out());
        assertTrue(jbox.run("ps", "-a").out().contains("Exited (137)") && jbox.run("ps", "-a").out().contains("OOM-killed at memory limit 32MiB"));
        rm(id);
    }

    /** As in Docker, a program inside (a JVM sizing its heap) reads its limit where the host keeps it: memory.max on v2, the v1 file on v1. */
    @Test
    void theContainerReadsItsOwnLimitReadOnly() throws Exception {
        var r = jbox.run("run", "--rm", "-m", "48m", "busybox", "sh", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; echo 1 > /sys/fs/cgroup/cgroup.procs || echo 1 > /sys/fs/cgroup/memory/tasks");
        assertTrue(r.out().startsWith("50331648\n"), r.all());
        assertTrue(r.err().contains("Read-only file system"), "the container cannot move itself or change its limits: " + r.all());
    }

    @Test
    void memoryUsageAndMaxUsageAreAccounted() throws Exception {
        // Files in the container's /dev/shm (tmpfs) are memory, charged to the container's cgroup.
        String id = runDetached("-m", "64m", "busybox", "sh", "-c", "head -c 20m /dev/zero > /dev/shm/fill; echo ready; sleep 1000");
        Eventually.waitFor(() -> jbox.run("logs", id).out().contains("ready"), "the 20 MiB to be written");
        JsonNode u = usage(id);
        assertEquals(64L << 20, u.get("MemoryLimit").asLong());
        assertTrue(u.get("MemoryUsage").asLong() >= 20L << 20, "the 20 MiB in /dev/shm are counted: " + u);
        assertTrue(u.get("MemoryMaxUsage").asLong() >= u.get("MemoryUsage").asLong(), u.toString());
        var stats = jbox.run("stats", "--no-stream", id);
        assertTrue(stats.out().lines().skip(1).anyMatch(l -> l.contains("MiB / 64MiB")), stats.out());
        assertEquals(0, jbox.run("update", "-m", "128m", id).code(), "raising the limit of a running container");
        assertEquals(128L << 20, usage(id).get("MemoryLimit").asLong());
        assertEquals(0, jbox.run("update", "-m", "48m", id).code(), "and lowering it");
        assertEquals(48L << 20, usage(id).get("MemoryLimit").asLong());
        rm(id);
    }

    @Test
    void statsStreamsAFreshTableEverySecond() throws Exception {
        String id = runDetached("--name", "streamed", "busybox", "sleep", "1000");
        Process p = jbox.start("stats");
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                p.getInputStream().transferTo(seen);
            } catch (java.io.IOException e) {
                // closed when the process is stopped
            }
        });
        reader.start();
        Eventually.waitFor(() -> {
            synchronized (seen) {
                return seen.toString().lines().filter(l -> l.startsWith("CONTAINER ID   NAME")).count() >= 2;
            }
        }, "a second table");
        p.destroy();
        p.waitFor();
        reader.join(2000);
        String out;
        synchronized (seen) {
            out = seen.toString();
        }
        long tables = out.lines().filter(l -> l.startsWith("CONTAINER ID   NAME")).count();
        assertTrue(tables >= 2, "a new table each second: " + out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith(id.substring(0, 12) + "   streamed")), out);
        rm(id);
    }

    @Test
    void aForkBombStopsAtThePidsLimit() throws Exception {
        String id = runDetached("--pids-limit", "20", "busybox", "sh", "-c",
                "(while true; do sleep 1000 & done) 2>/dev/null; echo bomb-stopped; sleep 1000");
        Eventually.waitFor(() -> jbox.run("logs", id).out().contains("bomb-stopped"), "the loop to run into the limit and end");
        JsonNode u = usage(id);
        assertEquals(20, u.get("PidsLimit").asLong());
        assertTrue(u.get("Pids").asLong() <= 20 && u.get("Pids").asLong() >= 15, "at most 20 processes: " + u);
        assertEquals(0, jbox.run("run", "--rm", "busybox", "true").code(), "the host can still start processes");
        var top = jbox.run("top", id);
        assertTrue(top.out().startsWith("UID") && top.out().lines().filter(l -> l.contains("sleep 1000")).count() >= 14, top.out());
        rm(id);
    }

    private long cpuNanos(String id) throws Exception { return usage(id).get("CpuNanos").asLong(); }

    @Test
    void cpusCapsABusyLoopToAFractionOfACpu() throws Exception {
        String id = runDetached("--cpus", "0.2", "busybox", "sh", "-c", "while true; do :; done");
        Eventually.waitFor(() -> cpuNanos(id) > 50_000_000L, "the loop to be running");
        long c0 = cpuNanos(id), t0 = System.nanoTime();
        Thread.sleep(2000); // the measurement window
        double share = (double) (cpuNanos(id) - c0) / (System.nanoTime() - t0);
        assertTrue(share > 0.12 && share < 0.28, "--cpus 0.2 gives about a fifth of a CPU, measured " + share);

        assertEquals(0, jbox.run("update", "--cpus", "1", id).code());
        c0 = cpuNanos(id);
        t0 = System.nanoTime();
        Thread.sleep(1500); // the measurement window
        double after = (double) (cpuNanos(id) - c0) / (System.nanoTime() - t0);
        assertTrue(after > 0.6, "jbox update raised the cap of the running container: " + after);
        assertEquals("1000000000\n", jbox.run("inspect", "-f", "{{.HostConfig.NanoCpus}}", id).out(), "the new limit is recorded");
        rm(id);
    }

    @Test
    void cpuSharesSplitOneCpuByWeight() throws Exception {
        String heavy = runDetached("--cpuset-cpus", "0", "--cpu-shares", "1024", "busybox", "sh", "-c", "while true; do :; done");
        String light = runDetached("--cpuset-cpus", "0", "--cpu-shares", "256", "busybox", "sh", "-c", "while true; do :; done");
        Eventually.waitFor(() -> cpuNanos(heavy) > 50_000_000L && cpuNanos(light) > 10_000_000L, "both loops to be running");
        long h0 = cpuNanos(heavy), l0 = cpuNanos(light);
        Thread.sleep(3000); // the measurement window
        double ratio = (double) (cpuNanos(heavy) - h0) / (cpuNanos(light) - l0);
        assertTrue(ratio > 2.5 && ratio < 6.5, "shares 1024:256 split one CPU about 4:1, measured " + ratio);
        rm(heavy);
        rm(light);
    }

    @Test
    void aReadBpsLimitSlowsADirectRead() throws Exception {
        String device = rootDisk();
        Requires.machineHas(Requires.MayLack.BLOCK_DEVICE, device != null);
        String[] read = {"busybox", "dd", "if=/bin/busybox", "of=/dev/null", "bs=64k", "iflag=direct"};
        long t0 = System.nanoTime();
        assertEquals(0, jbox.run(concat(new String[]{"run", "--rm"}, read)).code());
        long free = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        var limited = jbox.run(concat(new String[]{"run", "--rm", "--device-read-bps", device + ":1mb"}, read));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, limited.code(), limited.all());
        assertTrue(ms - free >= 1200, "2 MB of direct reads at 1 MB/s take over a second longer: " + ms + " ms against " + free + " ms unlimited");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The whole disk that holds the jbox root (throttling applies to disks), as /dev/NAME. */
    private String rootDisk() throws Exception { return rootDisk(jbox.root); }

    static String rootDisk(Path onIt) throws Exception {
        long dev = ((Number) Files.getAttribute(onIt, "unix:dev")).longValue();
        Path sys = Path.of("/sys/dev/block/" + Linux.major(dev) + ":" + Linux.minor(dev));
        if (!Files.exists(sys)) return null;
        Path disk = Files.exists(sys.resolve("partition")) ? sys.toRealPath().getParent() : sys.toRealPath();
        for (String line : Files.readAllLines(disk.resolve("uevent"))) {
            if (line.startsWith("DEVNAME=")) return "/dev/" + line.substring(8);
        }
        return null;
    }

    @Test
    void pauseFreezesEveryProcessAndUnpauseResumes() throws Exception {
        String id = runDetached("busybox", "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.02; done");
        Path counter = jbox.root.resolve("containers").resolve(id).resolve("upper/tmp/count");
        Eventually.waitFor(() -> Files.exists(counter), "the counter to start");
        assertEquals(id + "\n", jbox.run("pause", id).out());
        assertTrue(jbox.run("ps").out().contains("(Paused)"));
        String frozen = Files.readString(counter).trim();
        Thread.sleep(500); // 25 counts' time, in which a running counter would have moved
        assertEquals(frozen, Files.readString(counter).trim(), "a paused container does not run");
        assertEquals(0, jbox.run("unpause", id).code());
        Eventually.waitFor(() -> Long.parseLong(Files.readString(counter).trim()) > Long.parseLong(frozen), "the unpaused counter to count on");
        assertEquals(0, jbox.run("pause", id).code());
        long t0 = System.nanoTime();
        rm(id);
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "a paused container is removed at once: it is thawed to die");
    }

    @Test
    void killEndsTheWholeCgroup() throws Exception {
        String id = runDetached("busybox", "sh", "-c", "sleep 1000 & sleep 1000 & wait");
        Eventually.waitFor(() -> usage(id).get("Pids").asLong() >= 3, "three processes");
        assertEquals(3, usage(id).get("Pids").asLong());
        assertEquals(0, jbox.run("kill", id).code());
        Eventually.waitFor(() -> jbox.run("ps", "-a").out().contains("Exited (137)"), "the container to exit with 137");
        assertTrue(Jbox.cgroupsOf(id).isEmpty(), "no process and no cgroup is left");
        rm(id);
    }

    @Test
    void deviceNodesOtherThanDockersDefaultsCannotBeOpened() throws Exception {
        Requires.machineHas(Requires.MayLack.V1_DEVICES, Files.isDirectory(Path.of("/sys/fs/cgroup/devices")));
        // A loop device stands in for a disk: the host can read it, the container must not.
        Path image = jbox.root.resolve("disk.img");
        Files.write(image, new byte[1 << 20]);
        Process setup = new ProcessBuilder("losetup", "-f", "--show", image.toString()).start();
        String loop = new String(setup.getInputStream().readAllBytes()).trim();
        Requires.machineHas(Requires.MayLack.LOOP_DEVICES, setup.waitFor() == 0 && loop.startsWith("/dev/loop"));
        try {
            try (var in = Files.newInputStream(Path.of(loop))) {
                assertEquals(1, in.readNBytes(1).length, "the host can read " + loop);
            }
            long rdev = ((Number) Files.getAttribute(Path.of(loop), "unix:rdev")).longValue();
            var r = jbox.run("run", "--rm", "busybox", "sh", "-c", "mknod /tmp/disk b " + Linux.major(rdev) + " " + Linux.minor(rdev)
                    + " && echo made; head -c 1 /tmp/disk > /dev/null || echo denied; echo x > /dev/null && echo null-ok");
            assertEquals("made\ndenied\nnull-ok\n", r.out(), r.all());
            assertTrue(r.err().contains("Operation not permitted"), r.err());
        } finally {
            new ProcessBuilder("losetup", "-d", loop).start().waitFor();
        }
    }

    @Test
    void infoShowsWhichTreeHoldsEachController() throws Exception {
        var info = jbox.run("info");
        assertTrue(info.out().lines().anyMatch(l -> l.matches("Cgroup Version: (v1|v2|hybrid)")), info.out());
        assertTrue(info.out().lines().anyMatch(l -> l.matches(" memory: v[12] /sys/fs/cgroup.*")), info.out());
    }

    @Test
    void badLimitsAreRefusedBeforeAnythingIsCreated() throws Exception {
        List<String> before = jbox.containerDirs();
        var units = jbox.run("run", "-m", "10Q", "busybox", "true");
        assertEquals(125, units.code());
        assertTrue(units.err().contains("invalid size: '10Q'"), units.err());
        var low = jbox.run("run", "-m", "1m", "busybox", "true");
        assertTrue(low.err().contains("Minimum memory limit allowed is 6MB"), low.err());
        var cpus = jbox.run("run", "--cpus", "99", "busybox", "true");
        assertTrue(cpus.err().contains("Range of CPUs is from 0.01 to"), cpus.err()); // docker's words
        var dev = jbox.run("run", "--device-read-bps", "/etc/passwd:1mb", "busybox", "true");
        assertTrue(dev.err().contains("is not a block device"), dev.err());
        assertEquals(before, jbox.containerDirs(), "no container was created");
    }
}
