package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Docker's finer cgroup settings (--cpu-period/--cpu-quota, --cpuset-mems, --memory-reservation,
 * --memory-swappiness, --oom-kill-disable, --cpu-rt-runtime), from jbox's CLI and the docker CLI,
 * read back where the kernel keeps them: inside the container, on the host, and in inspect. On a
 * host whose memory and cpu controllers are v2, the v1-only ones are refused with the reason.
 */
class CgroupTuningTest extends RealEngineTest {
    private JboxDaemon daemon;

    /** Whether this host's memory controller is v1's (a hybrid host like this one) rather than v2's. */
    private static final boolean V1 = Files.exists(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));

    @BeforeAll
    void startDaemon() throws Exception { daemon = new JboxDaemon(jbox); }

    @AfterAll
    void stopDaemon() throws Exception { if (daemon != null) daemon.close(); }

    private static final String READ_V1 = "cd /sys/fs/cgroup; cat cpu/cpu.cfs_period_us cpu/cpu.cfs_quota_us cpuset/cpuset.mems memory/memory.soft_limit_in_bytes "
            + "memory/memory.swappiness cpu/cpu.rt_runtime_us; grep oom_kill_disable memory/memory.oom_control";

    @Test
    void finerLimitsReachTheKernelAndInspect() throws Exception {
        if (!V1) {
            var r = jbox.run("run", "--rm", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0", "-m", "64m",
                    "--memory-reservation", "20m", "busybox", "cat", "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpuset.mems", "/sys/fs/cgroup/memory.low");
            assertEquals("25000 50000\n0\n20971520\n", r.out(), r.all());
            return;
        }
        var r = jbox.run("run", "--name", "tuned", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0", "-m", "64m",
                "--memory-reservation", "20m", "--memory-swappiness", "10", "--oom-kill-disable", "--cpu-rt-runtime", "10000", "busybox", "sh", "-c", READ_V1);
        assertEquals(0, r.code(), r.all());
        assertEquals("50000\n25000\n0\n20971520\n10\n10000\noom_kill_disable 1\n", r.out(), r.all());
        assertEquals("20971520 50000 25000 0 true 0 10 10000\n", jbox.run("inspect", "-f", "{{.HostConfig.MemoryReservation}} {{.HostConfig.CpuPeriod}} "
                + "{{.HostConfig.CpuQuota}} {{.HostConfig.NanoCpus}} {{.HostConfig.OomKillDisable}} {{.HostConfig.CpusetMems}} {{.HostConfig.MemorySwappiness}} "
                + "{{.HostConfig.CpuRealtimeRuntime}}", "tuned").out());
        assertEquals(0, jbox.run("rm", "tuned").code());

        // --cpus stays a number of CPUs in inspect, its quota counted in the default period
        var cpus = jbox.run("run", "--name", "halfcpu", "--cpus", "0.5", "busybox", "cat", "/sys/fs/cgroup/cpu/cpu.cfs_period_us", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        assertEquals("100000\n50000\n", cpus.out(), cpus.all());
        assertEquals("500000000 0 0\n", jbox.run("inspect", "-f", "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}", "halfcpu").out());
        assertEquals(0, jbox.run("rm", "halfcpu").code());
    }

    @Test
    void theDockerCliSetsThemThroughTheDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        if (!V1) {
            var r = daemon.docker("run", "--rm", "--cpu-period", "50000", "--cpu-quota", "25000", "-m", "64m", "--memory-reservation", "20m",
                    "busybox", "cat", "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/memory.low");
            assertEquals("25000 50000\n20971520\n", r.out(), r.all());
            return;
        }
        var r = daemon.docker("run", "--name", "docker-tuned", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0", "-m", "64m",
                "--memory-reservation", "20m", "--memory-swappiness", "10", "--oom-kill-disable", "--cpu-rt-runtime", "10000", "busybox", "sh", "-c", READ_V1);
        assertEquals("50000\n25000\n0\n20971520\n10\n10000\noom_kill_disable 1\n", r.out(), r.all());
        JsonNode host = Json.MAPPER.readTree(daemon.docker("inspect", "docker-tuned").out()).get(0).path("HostConfig");
        assertEquals(20971520, host.path("MemoryReservation").asLong());
        assertEquals(10, host.path("MemorySwappiness").asLong());
        assertTrue(host.path("OomKillDisable").asBoolean(), host.toString());
        assertEquals(50000, host.path("CpuPeriod").asLong());
        assertEquals(25000, host.path("CpuQuota").asLong());
        assertEquals("0", host.path("CpusetMems").asText());
        assertEquals(10000, host.path("CpuRealtimeRuntime").asLong());
        assertEquals(0, daemon.docker("rm", "docker-tuned").code());
    }

    /** --oom-kill-disable: at its limit the container's memory hog waits, alive, instead of being killed; the host sees it under OOM. */
    @Test
    void withTheOomKillerOffAHogWaitsAtTheLimit() throws Exception {
        if (!V1) {
            var r = jbox.run("run", "--rm", "-m", "32m", "--oom-kill-disable", "busybox", "true");
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().contains("--oom-kill-disable needs cgroup v1's memory.oom_control"), r.all());
            return;
        }
        // The string doubles in the shell's own memory, so the charge comes from page faults, where the kernel
        // makes the task wait (a read() charged at the limit would get an error instead).
        var started = jbox.run("run", "-d", "-m", "32m", "--oom-kill-disable", "busybox", "sh", "-c", "a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done");
        assertEquals(0, started.code(), started.all());
        String id = started.out().trim();
        Path control = Jbox.cgroupsOf(id).stream().map(d -> d.resolve("memory.oom_control")).filter(Files::exists).findFirst()
                .orElseThrow(() -> new AssertionError("no memory cgroup for " + id + " among " + cgroups(id)));
        Eventually.waitFor(() -> Files.readString(control).contains("under_oom 1"), "the hog to reach its limit");
        assertTrue(Files.readString(control).contains("oom_kill 0"), "nothing was killed: " + Files.readString(control));
        assertEquals("running false\n", jbox.run("inspect", "-f", "{{.State.Status}} {{.State.OOMKilled}}", id).out());
        assertEquals(0, jbox.run("rm", "-f", id).code());
        assertEquals(List.of(), Jbox.cgroupsOf(id), "its cgroup is removed");
    }

    private static String cgroups(String id) {
        try {
            return Jbox.cgroupsOf(id).toString();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void badFinerLimitsAreRefusedBeforeAnythingIsCreated() throws Exception {
        List<String> before = jbox.containerDirs();
        String[][] cases = {
                {"--memory-swappiness", "101", "valid memory swappiness range is 0-100"},
                {"--memory-reservation", "100m", "Minimum memory limit can not be less than memory reservation limit"},
                {"--cpuset-mems", "99", "Requested memory nodes are not available - requested 99"},
                {"--cpu-period", "10", "CPU cfs period can not be less than 1ms"},
                {"--cpus", "1", "Conflicting options: --cpus and --cpu-period/--cpu-quota"},
        };
        for (String[] c : cases) {
            var r = c[0].equals("--cpus")
                    ? jbox.run("run", "--rm", "--cpus", "1", "--cpu-quota", "50000", "busybox", "true")
                    : jbox.run("run", "--rm", "-m", "50m", c[0], c[1], "busybox", "true");
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().contains(c[2]), c[0] + ": " + r.err());
        }
        if (V1) {
            // more real-time time than there is in a period: the kernel refuses it, and the error says what the host grants
            var rt = jbox.run("run", "--rm", "--cpu-rt-runtime", "2000000", "busybox", "true");
            assertEquals(125, rt.code(), rt.all());
            assertTrue(rt.err().contains("the kernel refused a real-time runtime of 2000000 µs") && rt.err().contains("the host gives real-time tasks"), rt.err());
        } else {
            var rt = jbox.run("run", "--rm", "--cpu-rt-runtime", "10000", "busybox", "true");
            assertTrue(rt.err().contains("need cgroup v1's cpu.rt_runtime_us"), rt.err());
        }
        assertEquals(before, jbox.containerDirs(), "no container was left");
    }
}
