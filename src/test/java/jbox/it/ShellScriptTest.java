package jbox.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shell's sandbox steps in scripted mode (jbox shell --script), each effect observed from
 * inside the sandbox and compared with the host.
 */
@org.junit.jupiter.api.Tag("exclusive") // measures CPU shares, time or load: alone, after the others
class ShellScriptTest extends RealEngineTest {
    @AfterEach
    void nothingLeft() throws Exception {
        Path sandboxes = jbox.root.resolve("sandboxes");
        if (Files.isDirectory(sandboxes)) {
            try (var s = Files.list(sandboxes)) {
                assertEquals(List.of(), s.toList(), "leaving the shell leaves no sandbox");
            }
        }
        assertFalse(Jbox.hostMounts().contains(jbox.root.toString()), "and no mount on the host");
    }

    Jbox.Result script(String... lines) throws Exception {
        Path file = Files.createTempFile(jbox.root, "script", ".jbox");
        Files.write(file, List.of(lines));
        try {
            return jbox.run(120, "shell", "--script", file.toString());
        } finally {
            Files.delete(file);
        }
    }

    /** The output printed right after the prompt line of a command, up to the next prompt. */
    /** Whether the controller is a cgroup v1 hierarchy here (then jbox writes its v1 files). */
    static boolean v1(String controller) throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/mountinfo")).lines()
                .anyMatch(l -> l.contains(" - cgroup ") && java.util.Arrays.asList(l.substring(l.lastIndexOf(' ') + 1).split(",")).contains(controller));
    }

    static String after(String out, String command) {
        int i = out.indexOf("> " + command + "\n");
        assertTrue(i >= 0, "no \"" + command + "\" in:\n" + out);
        String rest = out.substring(out.indexOf('\n', i) + 1);
        if (rest.startsWith("jbox")) return ""; // no output: the next line is the next prompt
        int next = rest.indexOf("\njbox");
        return next < 0 ? rest : rest.substring(0, next + 1);
    }

    @Test
    void hardenLoadsTheSeccompFilterItShowsAndForbidsMoreNamespaces() throws Exception {
        var r = script("sandbox busybox", "explain on", "enter mnt", "in grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status",
                "harden", "in grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status", "enter net");
        assertNotEquals(0, r.code(), "the script stops at enter net: " + r.all());
        String before = after(r.out(), "in grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status");
        assertTrue(before.contains("CapBnd:\t" + capBndOfThisProcess() + "\nNoNewPrivs:\t0\nSeccomp:\t0\n"), "before harden the sandbox's processes have what jbox has: " + before);
        String harden = after(r.out(), "harden");
        assertTrue(harden.contains("prctl(PR_SET_NO_NEW_PRIVS) = 0") && harden.contains("prctl(PR_CAPBSET_DROP CAP_SYS_ADMIN) = 0"), harden);
        assertTrue(harden.matches("(?s).*seccomp\\(SECCOMP_SET_MODE_FILTER, 0, \\{\\d+ instructions: jbox's default profile}\\) = 0.*"), "explain shows the filter being loaded: " + harden);
        String hardened = r.out().substring(r.out().lastIndexOf("> in grep -E"));
        assertTrue(hardened.contains("CapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n"), "after it, Docker's: " + hardened);
        assertTrue(r.err().contains("the sandbox is hardened: it can enter no more namespaces"), r.all());
    }

    private static String capBndOfThisProcess() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) if (line.startsWith("CapBnd:")) return line.substring(7).trim();
        throw new AssertionError("no CapBnd");
    }

    @Test
    void everyNamespaceStepHasAVisibleEffect() throws Exception {
        String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        var r = script("sandbox busybox",
                "enter uts box1", "in hostname", "host hostname",
                "enter ipc", "in ipcmk -M 4096", "in ipcs -m", "host ipcs -m",
                "enter net", "enter mnt", "in cat /proc/net/dev", "in ip link show lo", "lo up", "in ip -o link show lo",
                "in ls /", "in head -1 /proc/self/mountinfo",
                "enter cgroup", "in cat /proc/self/cgroup",
                "enter time",
                "enter pid --bare", "in sh -c 'echo pid=$$'",
                "ns", "discard");
        assertEquals(0, r.code(), r.all());
        String out = r.out();
        assertTrue(out.contains("  \u2192 unshare(CLONE_NEWUTS) = 0") && out.contains("sethostname(\"box1\") = 0"), "explain mode shows the calls");
        assertEquals("box1\n", after(out, "in hostname"));
        assertEquals(hostName + "\n", after(out, "host hostname"));
        assertTrue(after(out, "in ipcs -m").contains("4096"), "the segment exists inside");
        assertFalse(after(out, "host ipcs -m").contains(" 4096 "), "and not on the host");
        String netdev = after(out, "in cat /proc/net/dev");
        assertEquals(1, netdev.lines().filter(l -> l.contains(":")).count(), "only lo: " + netdev);
        assertTrue(netdev.contains("lo:"));
        assertFalse(after(out, "in ip link show lo").contains("UP,"), "lo starts down");
        assertTrue(after(out, "in ip -o link show lo").contains("UP"), "lo up brought it up");
        assertTrue(after(out, "in ls /").contains("linuxrc"), "the root is busybox's");
        assertTrue(after(out, "in head -1 /proc/self/mountinfo").contains(" / / ") && after(out, "in head -1 /proc/self/mountinfo").contains("overlay"));
        assertTrue(out.contains("pivot_root(\".\", \".\") = 0"));
        for (String line : after(out, "in cat /proc/self/cgroup").lines().toList()) assertTrue(line.endsWith(":/"), line);
        assertTrue(out.contains("unshare(CLONE_NEWTIME) = 0") && out.contains("leaves the offsets at zero"), "time is entered, and why its clocks read the same is said");
        assertTrue(after(out, "in sh -c 'echo pid=$$'").startsWith("pid=1\n"), "the first process of a new pid namespace is PID 1");
        assertTrue(out.contains("That was PID 1"));
        String ns = after(out, "ns");
        for (String kind : List.of("uts", "ipc", "net", "mnt", "pid", "cgroup", "time")) {
            assertTrue(ns.lines().anyMatch(l -> l.startsWith(kind + " ") && l.endsWith("isolated")), kind + " is isolated:\n" + ns);
        }
        assertTrue(ns.lines().anyMatch(l -> l.startsWith("user ") && l.endsWith("shared")), ns);
    }

    @Test
    void aDeadPidNamespaceIsExplainedAndANewOneCanBeMade() throws Exception {
        var dead = script("sandbox busybox", "enter mnt", "enter pid --bare", "in true", "in true");
        assertNotEquals(0, dead.code());
        assertTrue(dead.err().contains("its PID 1 has exited") && dead.err().contains("enter pid again"), dead.err());
        var again = script("sandbox busybox", "enter mnt", "enter pid --bare", "in true", "enter pid --bare", "in sh -c 'echo pid=$$'", "discard");
        assertEquals(0, again.code(), again.all());
        assertTrue(after(again.out(), "in sh -c 'echo pid=$$'").startsWith("pid=1"), again.out());
    }

    /** With its init (the default), a pid namespace outlives every command, and orphans are reaped by PID 1. */
    @Test
    void aPidNamespaceWithItsInitOutlivesCommandsAndReapsOrphans() throws Exception {
        var r = script("sandbox busybox", "enter mnt", "enter pid", "in true", "in sh -c 'echo pid=$$; sleep 0.2 &'",
                "in sh -c 'while ps -o stat,comm | grep -q sleep; do sleep 0.1; done; ps -o pid,stat,comm'", "discard");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("A new pid namespace, and its first process"), r.out());
        assertTrue(after(r.out(), "in sh -c 'echo pid=$$; sleep 0.2 &'").matches("pid=[3-9]\\d*\n"), "not PID 1: " + r.out());
        String ps = after(r.out(), "in sh -c 'while ps -o stat,comm | grep -q sleep; do sleep 0.1; done; ps -o pid,stat,comm'");
        assertTrue(ps.lines().anyMatch(l -> l.trim().matches("1 +S +catatonit")), ps);
        assertFalse(ps.contains("sleep"), "the orphaned sleep ended and PID 1 reaped it (no zombie): " + ps);
    }

    /** A counter in the background, frozen mid-count: nothing is printed while frozen, and it goes on from there. */
    @Test
    void aBackgroundCounterStopsWhileFrozen() throws Exception {
        var r = script("sandbox busybox", "explain off", "probe counter -d", "host sleep 0.5", "freeze", "host sleep 0.6", "thaw", "host sleep 1", "discard");
        assertEquals(0, r.code(), r.all());
        assertTrue(after(r.out(), "probe counter -d").contains("Counting in the background"), r.out());
        assertFalse(after(r.out(), "host sleep 0.6").lines().anyMatch(l -> l.matches("\\d+")), "no count while frozen: " + r.out());
        assertTrue(r.out().contains("Thawed"), r.out());
    }

    @Test
    void enterUserMakesRootInsideNobodyOutside() throws Exception {
        var r = script("sandbox busybox", "enter pid", "enter mnt", "enter user", "ns", "in id", "in cat /proc/self/uid_map", "in ls -ln /bin/busybox",
                "in sh -c 'echo caps $(grep CapEff /proc/self/status)'", "in touch /made-by-root-inside");
        assertEquals(1, r.code(), "the last step is refused: " + r.all());
        assertTrue(r.out().contains("made by jbox-ns: a single-threaded helper"), r.out());
        assertTrue(r.out().matches("(?s).*\\nuser +user:\\[\\d+\\] +user:\\[\\d+\\] +isolated\\n.*"), r.out());
        assertTrue(r.out().contains("uid=0(root) gid=0(root)"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s*0\\s+65534\\s+1\\n.*"), "uid 0 inside is nobody outside: " + r.out());
        assertTrue(r.out().matches("(?s).*65534\\s+65534.*/bin/busybox.*"), "the image's root-owned files show as unmapped: " + r.out());
        assertTrue(r.out().contains("caps CapEff:\t000001ffffffffff") || r.out().matches("(?s).*caps CapEff:\\s+0000[0-9a-f]{2}ffffffffff.*"),
                "every capability, in its own namespace: " + r.out());
        assertTrue(r.err().contains("Permission denied"), "but none over the host's files: " + r.err());
    }

    @Test
    void cgroupLimitsBiteOneAtATime() throws Exception {
        String counter = jbox.root + "/sandboxes/*/upper/tmp/count";
        var r = script("sandbox busybox", "enter mnt",
                "limit memory 32m", "probe memory 100m",
                "limit pids 10", "probe forkbomb",
                "limit cpus 0.2", "probe busy 2",
                "limit cpu-shares 256",
                "in -d sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done'",
                "host sleep 0.5",
                "freeze",
                "host sh -c 'a=$(cat " + counter + "); sleep 0.5; b=$(cat " + counter + "); [ $a = $b ] && echo stood-still'",
                "thaw",
                "host sh -c 'a=$(cat " + counter + "); sleep 0.5; b=$(cat " + counter + "); [ $a != $b ] && echo counts-again'",
                "usage", "discard");
        assertEquals(0, r.code(), r.all());
        String out = r.out();
        boolean v1 = v1("memory");
        assertTrue(out.contains(v1 ? "memory.limit_in_bytes \"33554432\"" : "memory.max \"33554432\""), "explain shows the file write: " + out);
        String mem = after(out, "probe memory 100m");
        assertTrue(mem.contains("killed by the OOM killer") && mem.matches("(?s).*oom kills [1-9].*"), mem);
        String bomb = after(out, "probe forkbomb");
        assertTrue(bomb.contains("fork bomb stopped") && bomb.contains("(limit 10)"), bomb);
        String busy = after(out, "probe busy 2");
        double share = Double.parseDouble(busy.replaceAll("(?s).*It used ([0-9.]+) of a CPU.*", "$1"));
        assertTrue(share > 0.1 && share < 0.3, "--cpus 0.2 held the busy loop to about a fifth: " + busy);
        assertTrue(out.contains(v1("cpu") ? "cpu.shares \"256\"" : "cpu.weight \""), out);
        assertTrue(out.contains("stood-still"), "frozen, the counter stood still:\n" + out);
        assertTrue(out.contains("counts-again"), "thawed, it counted again");
    }

    @Test
    void aReadBpsLimitSlowsTheReadProbe() throws Exception {
        String disk = CgroupLimitsTest.rootDisk(jbox.root);
        Requires.machineHas(Requires.MayLack.BLOCK_DEVICE, disk != null);
        var r = script("sandbox busybox", "enter mnt", "probe read", "limit read-bps " + disk + ":1mb", "probe read", "discard");
        assertEquals(0, r.code(), r.all());
        List<Double> times = r.out().lines().filter(l -> l.startsWith("The direct read took "))
                .map(l -> Double.parseDouble(l.replaceAll("[^0-9.]", "").replaceAll("\\.$", ""))).toList();
        assertEquals(2, times.size(), r.out());
        assertTrue(times.get(1) > 1.2 && times.get(1) > 2 * times.get(0), "1 MB/s makes the 2 MB read take over a second: " + times);
        assertTrue(r.out().contains(v1("blkio") ? "blkio.throttle.read_bps_device \"" : "io.max \""), "explain shows the throttle file: " + r.out());
    }

    @Test
    void everyJboxCommandIsAShellCommandWithHelp() throws Exception {
        var r = script("run --rm busybox echo same-engine", "images", "help enter", "help");
        assertEquals(0, r.code(), r.all());
        assertEquals("same-engine\n", after(r.out(), "run --rm busybox echo same-engine"));
        assertTrue(after(r.out(), "images").startsWith("REPOSITORY"));
        assertTrue(after(r.out(), "help enter").contains("Examples:") && after(r.out(), "help enter").contains("enter uts myhost"));
        String help = after(r.out(), "help");
        for (String c : List.of("sandbox", "enter", "in", "limit", "probe", "freeze", "keep")) assertTrue(help.contains("\n  " + c + " "), c + " in:\n" + help);
        for (String c : List.of("run", "ps", "stats", "images")) assertTrue(java.util.regex.Pattern.compile("(?m)^ .* " + c + "( |$)").matcher(help).find(), c + " in:\n" + help);
        assertTrue(help.lines().allMatch(l -> l.length() <= 80), "fits 80 columns:\n" + help);
        assertTrue(help.lines().count() <= 25, "fits one screen:\n" + help);
        assertFalse(help.contains("_monitor"), "hidden commands stay hidden");
    }

    @Test
    void aSandboxCanBecomeARegularContainer() throws Exception {
        var r = script("sandbox busybox --name kp", "enter uts kepthost", "enter mnt", "in sh -c 'echo made-inside > /kept'", "limit memory 64m", "keep web");
        assertEquals(0, r.code(), r.all());
        var ps = jbox.run("ps");
        assertTrue(ps.out().contains("web") && ps.out().contains("Up "), ps.out());
        assertEquals("kepthost 67108864\n", jbox.run("inspect", "-f", "{{.Config.Hostname}} {{.HostConfig.Memory}}", "web").out());
        String id = jbox.run("inspect", "-f", "{{.Id}}", "web").out().trim();
        assertEquals("made-inside\n", Files.readString(jbox.root.resolve("containers").resolve(id).resolve("upper/kept")), "its files came along");
        assertEquals(0, jbox.run("rm", "-f", "web").code());
    }

    @Test
    void commandsFromAPipeWorkTheSameWay() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Jbox.HOME.resolve("jbox").toString()).redirectErrorStream(true);
        pb.environment().putAll(jbox.env);
        Process p = pb.start();
        p.getOutputStream().write("sandbox busybox\nenter uts piped\nin hostname\n".getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals("piped\n", after(out, "in hostname"));
    }
}
