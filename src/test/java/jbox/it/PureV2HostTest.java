package jbox.it;

import jbox.sys.Sys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * jbox on the learner's kind of host: a real pure cgroup v2 kernel (Debian 12's 6.1, every controller
 * enabled), booted by ../shared/v2vm with this tree shared inside. src/test/v2/check.sh does what a
 * user does there, each step in a "== NAME" section; each test here judges one part of what it saw.
 * The VM boots once for the class (emulated, so a cold jbox command takes 5-20 s in it).
 */
@Tag("root")
@Tag("exclusive") // an emulated VM takes both cores: alone, so that neither it nor the others time out
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PureV2HostTest {
    private static final List<Path> HARNESS_PLACES = List.of(
            Jbox.HOME.resolve("../shared/v2vm/run-in-v2vm.sh"), Path.of("/work/shared/v2vm/run-in-v2vm.sh"));
    private static final int VM_SECONDS = 1500; // about 800 s emulated on 2 cores, more while other classes load the machine

    private final Map<String, String> sections = new LinkedHashMap<>();
    private String all;

    @BeforeAll
    void runTheCheckInTheVm() throws Exception {
        Requires.that(Sys.isRoot(), "the v2 VM's check runs jbox as root inside; run the tests with sudo ./run-tests");
        String configured = System.getenv("JBOX_V2VM");
        Path harness = configured != null ? Path.of(configured)
                : HARNESS_PLACES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Requires.that(harness != null && Files.isExecutable(harness),
                "the pure cgroup v2 VM harness (run-in-v2vm.sh): looked in " + HARNESS_PLACES + "; set JBOX_V2VM to its path");
        try (MachineLock ignored = MachineLock.take(getClass())) {
            Path root = Files.createTempDirectory(Jbox.HOME.resolve("target"), "v2-root-");
            Path out = Files.createTempFile(Jbox.HOME.resolve("target"), "v2-check-", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(harness.toString(), "-t", String.valueOf(VM_SECONDS), "-m", "4G", "-d", "64",
                        "-T", root.toString(), "bash src/test/v2/check.sh")
                        .directory(Jbox.HOME.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().put("JBOX_ROOT", root.toString());
                Process p = pb.start();
                if (!p.waitFor(VM_SECONDS + 120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("the v2 VM did not end within " + (VM_SECONDS + 120) + " s:\n" + Files.readString(out));
                }
                all = Files.readString(out, StandardCharsets.UTF_8);
                System.out.println("pure cgroup v2 check, exit " + p.exitValue() + ":\n" + all);
                // 125: the harness could not boot QEMU. Only a machine that cannot run QEMU may skip; CI is none.
                Requires.that(p.exitValue() != 125, "a machine that can boot the v2 VM (QEMU); the harness said:\n" + all);
                assertEquals(0, p.exitValue(), all);
            } finally {
                Files.deleteIfExists(out);
                jbox.io.AtomicFiles.deleteTree(root);
            }
        }
        String name = null;
        StringBuilder text = new StringBuilder();
        for (String line : all.split("\n", -1)) {
            if (line.startsWith("== ")) {
                if (name != null) sections.put(name, text.toString());
                name = line.substring(3).trim();
                text.setLength(0);
            } else if (name != null) {
                text.append(line).append('\n');
            }
        }
        if (name != null) sections.put(name, text.toString());
    }

    private String section(String name) {
        String s = sections.get(name);
        assertNotNull(s, "no \"" + name + "\" section in the VM's output:\n" + all);
        return s;
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no /" + regex + "/ in:\n" + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void theVmIsAPureV2HostWithEveryController() {
        String host = section("host");
        assertTrue(host.startsWith("6.1."), host);
        assertTrue(host.contains("cpu io memory") && host.contains("pids"), host);
        assertTrue(host.contains("\n0\nrc=0"), "no cgroup v1 hierarchy is mounted: " + host);
        String info = section("info");
        assertTrue(info.contains("Cgroup Version: v2\n"), info);
        for (String c : List.of("cpu", "cpuset", "memory", "pids", "io")) {
            assertTrue(info.contains("\n " + c + ": v2 /sys/fs/cgroup\n"), "jbox info says where " + c + " lives: " + info);
        }
    }

    @Test
    void memoryIsOomKilledAndTheContainerSeesItsOwnGroupAsInDocker() {
        String oom = section("oom");
        assertTrue(oom.startsWith("0::/\n33554432\n"), "its cgroup is its namespace's root, and memory.max is readable inside: " + oom);
        assertTrue(oom.contains("Read-only file system"), "its /sys/fs/cgroup is read-only: " + oom);
        assertTrue(oom.contains("killed for memory") && oom.contains("rc=137"), oom);
        assertTrue(section("oom-inspect").startsWith("true 137\n"), section("oom-inspect"));
    }

    @Test
    void pidsCpuMaxAndIoMaxBite() {
        String pids = section("pids");
        assertTrue(pids.startsWith("stopped\n10\n") && number(pids, "^max (\\d+)") > 0, "the fork loop ran into pids.max: " + pids);
        String cpu = section("cpu-max");
        assertTrue(cpu.startsWith("20000 100000\n") && number(cpu, "^nr_throttled (\\d+)") > 0, "--cpus 0.2 throttled the loop: " + cpu);
        assertTrue(section("tuning").startsWith("25000 50000\n0\n20971520\nrc=0"), "--cpu-period/--cpu-quota, --cpuset-mems, --memory-reservation: " + section("tuning"));
        String v1Only = section("tuning-v1-only");
        assertTrue(v1Only.contains("--oom-kill-disable needs cgroup v1's memory.oom_control") && v1Only.contains("rc=125"), v1Only);
        String io = section("io-max");
        assertTrue(io.startsWith("254:0 rbps=max wbps=1048576"), io);
        assertTrue(number(io, "^seconds=(\\d+)") >= 2, "3 MiB at 1 MiB/s take more than 2 s: " + io);
    }

    @Test
    void cpuWeightsShareOneCpuInTheirRatio() {
        String w = section("weights");
        long hi = number(w, "hi=(\\d+)"), lo = number(w, "lo=(\\d+)");
        assertTrue(lo > 0 && hi > 2 * lo, "weights 1024:256 shares (cpu.weight 39:10) on one CPU: " + w);
    }

    /** The short id of container "hi", the first line of its run -d. */
    private String hiId() {
        return section("weights").lines().findFirst().orElseThrow().substring(0, 12);
    }

    @Test
    void theDeviceFilterRefusesTheHostDisk() {
        String d = section("devices");
        assertTrue(d.contains("Operation not permitted") && !d.contains("rc=0"), "mknod is allowed (as in Docker), opening the node is not: " + d);
    }

    @Test
    void execStatsAndPauseWorkOnALimitedContainer() {
        String exec = section("exec");
        assertTrue(exec.startsWith("0::/\n39\n67108864\nrc=0"), "the exec's subshell was born in the container's group: " + exec);
        assertTrue(section("stats").lines().anyMatch(l -> l.startsWith(hiId()) && l.contains("B / 64MiB")), section("stats"));
        String pause = section("pause");
        assertTrue(pause.matches("(?s)hi\nrc=0\nfrozen 1\nhi\nrc=0\nfrozen 0\n.*"), pause);
        assertEquals("from-the-host\nfrom-the-host\nrc=0\nfrozen 0\n", section("cp"), "cp both ways, the container thawed after");
    }

    @Test
    void theShellsLimitStepsBite() {
        String shell = section("shell");
        // 6.1's procfs has no pidns option: enter mnt after enter pid mounts the sandbox's /proc from inside its namespace
        String ps = shell.substring(shell.indexOf("> in ps\n"));
        ps = ps.substring(0, ps.indexOf("\njbox["));
        assertTrue(ps.contains("catatonit") && !ps.contains("java") && ps.lines().count() <= 5, "in ps lists only the sandbox's processes: " + ps);
        assertTrue(shell.contains("in cat /proc/self/cgroup\n0::/\n"), shell);
        assertTrue(shell.contains("killed by the OOM killer"), shell);
        assertTrue(shell.contains("fork bomb stopped") && shell.contains("(limit 10)"), shell);
        Matcher used = Pattern.compile("It used ([0-9.]+) of a CPU").matcher(shell);
        assertTrue(used.find() && Double.parseDouble(used.group(1)) < 0.35, "limit cpus 0.2 held the busy loop: " + shell);
        assertTrue(shell.contains("frozen 1"), shell);
        assertTrue(shell.contains("rc=0"), shell);
    }

    @Test
    void theCgroupLessonPassesOnV2() {
        String lesson = section("lesson");
        assertTrue(lesson.contains("PASS en/10-user-and-cgroup") && lesson.contains("rc=0"), "its step expects 0::/ on v2: " + lesson);
    }

    @Test
    void withoutRootADelegatedSubtreeHoldsTheLimitsAndNothingElseDoes() {
        String r = section("rootless");
        assertTrue(r.contains("Mode: rootless: uid 0 in jbox and its containers is uid 65534 on the host"), r);
        assertTrue(r.contains("memory: v2 /sys/fs/cgroup/rootless-deleg"), "the delegated subtree is jbox's cgroup tree: " + r);
        assertTrue(r.contains("50331648\n12\n0::/\nrc=0"), "the limits written in it, the container in a cgroup namespace of its own: " + r);
        String refused = section("rootless-undelegated");
        assertTrue(refused.contains("no cgroup is delegated to you") && refused.endsWith("rc=125\n"), "outside it, a limit is refused with the cause: " + refused);
        assertEquals("0\n0", section("rootless-left").strip(), "no process of the user's (jbox-userns included) and no container cgroup is left");
    }

    @Test
    void nothingIsLeftBehind() {
        assertTrue(section("cleanup").endsWith("rc=0\n"), section("cleanup"));
        assertEquals("0\n0", section("left").strip(), "no cgroup, container directory, mount or process of jbox's is left");
    }
}
