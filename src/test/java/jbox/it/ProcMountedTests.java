package jbox.it;

import jbox.sys.Processes;
import jbox.sys.Sys;
import jbox.sys.SyscallException;
import jbox.sys.Linux;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What depends on how the container's /proc is mounted: its namespaces and PID 1, the mount
 * sequence, hardening, signals, and the cleanup of its traces. Runs once with the mount the kernel
 * supports (pidns option where present; {@link ContainerTest}) and once with the fallback older
 * kernels need ({@link ContainerFallbackTest}).
 */
abstract class ProcMountedTests extends RealEngineTest {

    /** What JBOX_PROC is set to; null lets jbox detect the kernel's support. */
    String procMode() { return null; }

    @Override
    void configure(Jbox j) {
        if (procMode() != null) j.env.put("JBOX_PROC", procMode());
    }

    @org.junit.jupiter.api.AfterAll
    void leavesNoTrace() throws Exception {
        if (jbox == null) return;
        for (String id : jbox.containerDirs()) jbox.run("rm", "-f", id);
        assertEquals(List.of(), jbox.containerDirs(), "every container was removed");
        assertFalse(Jbox.hostMounts().contains(jbox.root.toString()), "no mount of jbox's is visible on the host");
    }

    Jbox.Result run(String... args) throws Exception {
        return jbox.run(args);
    }

    @Test
    void theHostsMountsVanishAfterPivotRoot() throws Exception {
        var r = run("run", "--rm", "busybox", "sh", "-c", "cat /proc/self/mountinfo; ls /");
        assertEquals(0, r.code(), r.all());
        String hostRootSource = Jbox.hostMounts().lines().filter(l -> l.split(" ")[4].equals("/")).findFirst().orElseThrow().split(" - ")[1].split(" ")[1];
        // Files bound in from the host's disk (/etc/hosts, as in docker) show its device, but never its root directory.
        assertTrue(r.out().lines().filter(l -> l.contains(" - ") && l.split(" - ")[1].split(" ")[1].equals(hostRootSource)).allMatch(l -> l.split(" ")[4].startsWith("/etc/")),
                "the host's root filesystem is not mounted inside: " + r.out());
        assertTrue(r.out().lines().filter(l -> l.contains(" - ") && l.split(" - ")[1].split(" ")[1].equals(hostRootSource)).noneMatch(l -> l.split(" ")[3].equals("/")),
                "the host's root directory is nowhere inside: " + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+ \\d+ \\S+ / / .* - overlay overlay .*")), "the root is the overlay: " + r.out());
    }

    @Test
    void runPrintsAndReturnsTheContainersExitCode() throws Exception {
        var r = run("run", "--rm", "busybox", "echo", "hello");
        assertEquals(0, r.code(), r.all());
        assertEquals("hello\n", r.out());
        assertEquals(7, run("run", "--rm", "busybox", "sh", "-c", "exit 7").code());
        var hello = run("run", "--rm", "hello");
        assertEquals(0, hello.code(), hello.all());
        assertTrue(hello.out().startsWith("Hello from a tiny jbox image!"), hello.out());
    }

    @Test
    void theContainerHasItsOwnNamespacesAndIsPid1() throws Exception {
        var r = run("run", "--rm", "--hostname", "box", "busybox", "sh", "-c",
                "hostname; echo pid=$$; ls /proc | grep -c '^[0-9]'; ip -o link | cut -d: -f2; ip -o link show lo; "
                        + "for n in uts ipc net mnt pid cgroup; do readlink /proc/self/ns/$n; done");
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals("box", lines.get(0));
        assertEquals("pid=1", lines.get(1));
        assertTrue(Integer.parseInt(lines.get(2).trim()) <= 3, "only the container's processes are in /proc: " + lines.get(2));
        assertEquals(" lo", lines.get(3), "lo, then the default bridge's eth0: " + r.out());
        assertTrue(lines.get(4).matches(" eth0@if\\d+"), "eth0 is one end of a veth pair: " + r.out());
        assertTrue(lines.get(5).contains("UP"), "lo is up: " + lines.get(5));
        String[] kinds = {"uts", "ipc", "net", "mnt", "pid", "cgroup"};
        for (int i = 0; i < kinds.length; i++) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + kinds[i])).toString();
            assertNotEquals(host, lines.get(6 + i), kinds[i] + " namespace is the container's own");
        }
        assertNotEquals("box", Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(), "the host's name is untouched");
    }

    @Test
    void theRootIsAnOverlayThatTheHostNeverSees() throws Exception {
        var r = run("run", "-d", "--name", "seen", "busybox", "sleep", "30");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        try {
            assertFalse(Jbox.hostMounts().contains(id), "the container's mounts live in its own mount namespace only");
            var mounts = run("run", "--rm", "busybox", "mount");
            assertTrue(mounts.out().startsWith("overlay on / type overlay"), mounts.out());
            assertTrue(mounts.out().contains("on /sys type sysfs (ro"), mounts.out());
            assertTrue(mounts.out().contains("proc on /proc type proc") || mounts.out().contains("none on /proc type proc"), mounts.out());
            var write = run("run", "--rm", "busybox", "sh", "-c", "echo data > /newfile && cat /newfile && ls /");
            assertTrue(write.out().startsWith("data\n"), write.all());
            assertFalse(run("run", "--rm", "busybox", "ls", "/").out().contains("newfile"), "a new container starts from the image again");
        } finally {
            run("rm", "-f", "seen");
        }
    }

    @Test
    void hardenedLikeDockersDefaults() throws Exception {
        var r = run("run", "--rm", "busybox", "sh", "-c",
                "grep -E 'CapBnd|CapEff|NoNewPrivs' /proc/self/status; wc -c < /proc/keys; wc -c < /proc/timer_list; "
                        + "echo 1 > /proc/sys/kernel/sysrq || echo sysctl-ro; touch /sys/x || echo sys-ro; ls /dev | tr '\\n' ' '");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("CapBnd:\t00000000a80425fb"), "Docker's 14 default capabilities: " + r.out());
        assertTrue(r.out().contains("CapEff:\t00000000a80425fb"), r.out());
        assertTrue(r.out().contains("NoNewPrivs:\t1"), r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals("0", lines.get(3).trim(), "/proc/keys is masked");
        assertEquals("0", lines.get(4).trim(), "/proc/timer_list is masked");
        assertTrue(r.out().contains("sysctl-ro"), "/proc/sys is read-only");
        assertTrue(r.out().contains("sys-ro"), "/sys is read-only");
        for (String dev : List.of("null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx", "fd", "stdin")) {
            assertTrue(r.out().contains(dev + " "), "/dev has " + dev + ": " + r.out());
        }
        assertFalse(r.out().contains("vda") || r.out().contains("sda"), "no host disks in /dev");
    }

    @Test
    void runRmLeavesNoTrace() throws Exception {
        List<String> before = Jbox.hostMounts().lines().toList();
        List<String> containersBefore = jbox.containerDirs();
        var r = run("run", "--rm", "busybox", "hostname");
        assertEquals(0, r.code(), r.all());
        String shortId = r.out().trim();
        assertTrue(shortId.matches("[0-9a-f]{12}"), "the hostname is the container's short id: " + r.all());
        assertEquals(containersBefore, jbox.containerDirs());
        // Only this test's: other tests (a dockerd, a daemon) mount and unmount on the host meanwhile.
        List<String> added = Jbox.hostMounts().lines().filter(l -> !before.contains(l) && l.contains(jbox.root.toString())).toList();
        assertEquals(List.of(), added, "the host's mount table has nothing of this jbox's more");
        // This container's cgroups only: another jbox's may be starting or ending meanwhile.
        assertEquals(List.of(), Jbox.cgroupsOf(shortId), "the container's cgroups are removed");
    }

    /** Asked of the kernel here, apart from jbox's code: does procfs take a pid namespace as a mount option? */
    private static boolean kernelHasProcPidnsOption() {
        int fs = -1, ns = -1;
        try {
            fs = Sys.fsopen("proc");
            ns = Sys.open("/proc/self/ns/pid", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            Sys.fsconfigFd(fs, "pidns", ns);
            return true;
        } catch (SyscallException e) {
            return false;
        } finally {
            if (ns >= 0) Sys.close(ns);
            if (fs >= 0) Sys.close(fs);
        }
    }

    @Test
    void procMountMethodIsRecorded() throws Exception {
        String id = run("run", "-d", "busybox", "sleep", "30").out().trim();
        try {
            String method = run("inspect", "-f", "{{.JboxProcMount}}", id).out().trim();
            assertEquals("fallback".equals(procMode()) || !kernelHasProcPidnsOption() ? "fallback" : "pidns", method);
            var ps = run("run", "--rm", "busybox", "ps", "-o", "pid,comm");
            assertTrue(ps.out().lines().anyMatch(l -> l.trim().equals("1 ps")), "ps sees itself as PID 1: " + ps.out());
        } finally {
            run("rm", "-f", id);
        }
    }

    @Test
    void signalsAreForwardedToTheContainer() throws Exception {
        Process p = jbox.start("run", "--rm", "busybox", "sh", "-c", "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        assertEquals("ready", reader.readLine());
        Sys.kill((int) p.pid(), 15);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("got TERM", reader.readLine());
        assertEquals(42, p.exitValue());
    }

    @Test
    void aContainerWhoseEngineWasKilledIsCleanedUp() throws Exception {
        Process p = jbox.start("run", "--name", "orphan", "busybox", "sleep", "1000");
        Eventually.waitFor(() -> run("inspect", "-f", "{{.State.Status}}", "orphan").out().equals("running\n"), "the container to come up");
        String id = run("inspect", "-f", "{{.Id}}", "orphan").out().trim();
        Sys.kill((int) p.pid(), 9);
        p.waitFor();
        assertTrue(run("ps").out().contains("orphan"), "the container outlives its killed engine");
        var rm = run("rm", "-f", "orphan");
        assertEquals(0, rm.code(), rm.all());
        assertTrue(Jbox.cgroupsOf(id).isEmpty());
        assertFalse(jbox.containerDirs().contains(id));

        Process q = jbox.start("run", "--name", "lost", "busybox", "sleep", "1000");
        Eventually.waitFor(() -> run("inspect", "-f", "{{.State.Status}}", "lost").out().equals("running\n"), "the container to come up");
        int pid = Integer.parseInt(run("inspect", "-f", "{{.State.Pid}}", "lost").out().trim());
        assertTrue(pid > 1, "a running container has its first process: " + pid); // never kill(0) or kill(-1)
        Sys.kill((int) q.pid(), 9);
        q.waitFor();
        long started = Processes.startTime(pid);
        Sys.kill(pid, 9);
        assertTrue(Processes.awaitExit(pid, started, 10_000), "the container's process ended");
        var ps = run("ps", "-a");
        assertTrue(ps.out().contains("Exited (255)"), "exit status lost with its engine: " + ps.out());
        assertTrue(run("inspect", "-f", "{{.State.Error}}", "lost").out().contains("exit status unknown"));
        assertEquals(0, run("rm", "lost").code());
    }
}
