package jbox.it;

import jbox.io.AtomicFiles;
import jbox.io.Json;
import jbox.sys.Sys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real containers through the real launcher, observed from inside with busybox as the probe.
 * Runs once with the /proc mount the kernel supports (pidns option where present) and once, in
 * {@link ContainerFallbackTest}, with the fallback older kernels need.
 */
class ContainerTest extends RealEngineTest {

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

    private Jbox.Result run(String... args) throws Exception {
        return jbox.run(args);
    }

    @Test
    void imagesAndInspectShowTheBundledImage() throws Exception {
        var images = run("images");
        List<String> lines = images.out().lines().toList();
        assertTrue(lines.get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), images.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("busybox +latest +[0-9a-f]{12} +\\d+ years ago +[0-9.]+MB")), images.out());
        var inspect = run("inspect", "busybox");
        assertEquals(0, inspect.code(), inspect.all());
        var json = Json.MAPPER.readTree(inspect.out()).get(0);
        assertEquals("[\"sh\"]", json.get("Config").get("Cmd").toString());
        assertTrue(json.get("Config").get("Env").get(0).asText().startsWith("PATH="));
        assertTrue(json.get("Id").asText().matches("sha256:[0-9a-f]{64}"));
        assertTrue(json.get("RootFS").get("Layers").get(0).asText().matches("sha256:[0-9a-f]{64}"));
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", json.get("Manifest").get("Layers").get(0).get("MediaType").asText());
        assertTrue(json.get("RepoDigests").get(0).asText().startsWith("busybox@sha256:"));
    }

    @Test
    void bundledImagesAreBuiltReproduciblyWithJboxBuild() throws Exception {
        List<String> indexes = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path out = jbox.root.resolve("bundled-" + i);
            ProcessBuilder pb = new ProcessBuilder(Jbox.HOME.resolve("images/build.sh").toString(), out.toString(), Jbox.HOME.resolve("jbox").toString())
                    .redirectErrorStream(true);
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), log);
            assertTrue(log.contains("busybox:latest sha256:") && log.contains("hello:latest sha256:"), log);
            indexes.add(Files.readString(out.resolve("index.json")));
            AtomicFiles.deleteTree(out);
        }
        assertEquals(indexes.get(0), indexes.get(1), "the same Dockerfiles and files give the same manifest digests");
        assertEquals(Files.readString(Jbox.HOME.resolve("images/oci/index.json")), indexes.get(0), "and they are the images the set-up built");
    }

    @Test
    void namesAreUniqueAndFoundThroughTheirIndexEvenOneBuiltLater() throws Exception {
        assertEquals(0, run("create", "--name", "unique-one", "busybox", "true").code());
        var again = run("create", "--name", "unique-one", "busybox", "true");
        assertEquals(125, again.code());
        assertTrue(again.err().contains("Conflict. The container name \"/unique-one\" is already in use"), again.err());
        // a root from before the names index: it is rebuilt from the containers' states on first use
        AtomicFiles.deleteTree(jbox.root.resolve("containers/.names"));
        assertTrue(run("inspect", "-f", "{{.Name}}", "unique-one").out().contains("unique-one"));
        assertEquals(125, run("create", "--name", "unique-one", "busybox", "true").code(), "still taken after the rebuild");
        assertEquals(0, run("rm", "unique-one").code());
        assertEquals(0, run("create", "--name", "unique-one", "busybox", "true").code(), "free again once removed");
        assertEquals(0, run("rm", "unique-one").code());
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
    void flagsOverrideTheImageConfig() throws Exception {
        var user = run("run", "--rm", "-u", "nobody", "busybox", "sh", "-c", "id; grep CapEff /proc/self/status");
        assertTrue(user.out().startsWith("uid=65534(nobody) gid=65534(nogroup)"), user.all());
        assertTrue(user.out().contains("CapEff:\t0000000000000000"), "a non-root user has no capabilities: " + user.out());
        assertEquals("/tmp/work\n", run("run", "--rm", "-w", "/tmp/work", "busybox", "pwd").out());
        var env = run("run", "--rm", "-e", "GREETING=hi", "busybox", "sh", "-c", "echo $GREETING $HOME; echo $PATH");
        assertEquals("hi /root\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", env.out());
        assertEquals("from entrypoint\n", run("run", "--rm", "--entrypoint", "echo", "busybox", "from", "entrypoint").out());
        assertEquals("1:2\n", run("run", "--rm", "-u", "1:2", "busybox", "sh", "-c", "echo $(id -u):$(id -g)").out());
    }

    @Test
    void commandsThatCannotRunExitLikeDocker() throws Exception {
        var missing = run("run", "--rm", "busybox", "nosuchcmd");
        assertEquals(127, missing.code());
        assertTrue(missing.err().contains("executable file not found in $PATH"), missing.err());
        List<String> before = jbox.containerDirs();
        var notExec = run("run", "--rm", "busybox", "/etc/passwd");
        assertEquals(126, notExec.code());
        assertTrue(notExec.err().contains("permission denied"), notExec.err());
        assertEquals(before, jbox.containerDirs(), "--rm removes a container that failed to start");
    }

    @Test
    void aDynamicallyLinkedProgramWithoutItsLoaderIsExplained() throws Exception {
        Path home = Files.createTempDirectory(jbox.root, "home-");
        Path rootfs = Files.createDirectories(home.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/true").toRealPath(), rootfs.resolve("true"));
        Files.writeString(home.resolve("Dockerfile"), "FROM scratch\nCOPY rootfs/ /\nCMD [\"/bin/true\"]\n");
        var build = jbox.run("build", "-t", "dyn", home.toString());
        assertEquals(0, build.code(), build.all());
        var r = jbox.run("run", "--rm", "dyn");
        assertEquals(127, r.code(), r.all());
        assertTrue(r.err().contains("dynamically linked") && r.err().contains("ld-linux"), r.err());
    }

    @Test
    void layersStackAndWhiteoutsHideWhatLowerLayersHad() throws Exception {
        Path home = Files.createTempDirectory(jbox.root, "home-");
        LayeredImages.write(home.resolve("images/oci"), "layered", List.of(
                List.of("data/", "data/keep=kept\n", "data/gone=should vanish\n", "data/old/", "data/old/a=a\n", "data/v=1\n"),
                List.of("data/.wh.gone=", "data/old/", "data/old/.wh..wh..opq=", "data/old/b=b\n", "data/v=2\n")));
        Jbox other = new Jbox(jbox.root);
        other.env.put("JBOX_HOME", home.toString());
        var r = other.run("run", "--rm", "layered", "sh", "-c", "ls /data; ls /data/old; cat /data/v");
        assertEquals(0, r.code(), r.all());
        assertEquals("keep\nold\nv\nb\n2\n", r.out(), "gone is whited out, old/ is opaque, v is the upper layer's");
        assertEquals(0, other.run("rmi", "layered").code());
    }

    @Test
    void detachedContainersAreSeenStoppedAndRemovedFromOtherInvocations() throws Exception {
        var r = run("run", "--name", "web", "-d", "busybox", "sleep", "1000");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        assertEquals(64, id.length());
        var ps = run("ps");
        assertTrue(ps.out().startsWith("CONTAINER ID   IMAGE     COMMAND        CREATED"), ps.out());
        assertTrue(ps.out().contains(id.substring(0, 12) + "   busybox   \"sleep 1000\"") && ps.out().contains("Up "), ps.out());
        assertFalse(Jbox.cgroupsOf(id).isEmpty(), "a running container has its cgroup");
        Process du = new ProcessBuilder("du", "-sk", jbox.root.resolve("containers").resolve(id).toString()).start();
        long kb = Long.parseLong(new String(du.getInputStream().readAllBytes()).split("\\s")[0]);
        assertTrue(kb < 100, "a container costs kilobytes of disk, not a copy of the image: " + kb + " KB");
        long t0 = System.nanoTime();
        assertEquals("web\n", run("stop", "-t", "1", "web").out());
        assertTrue(System.nanoTime() - t0 > 900_000_000L, "sleep as PID 1 ignores SIGTERM, so stop waits for the timeout");
        var all = run("ps", "-a");
        assertTrue(all.out().contains("Exited (137)"), all.out());
        assertFalse(run("ps").out().contains("web"), "ps without -a shows running containers only");
        assertTrue(Jbox.cgroupsOf(id).isEmpty(), "a stopped container's cgroup is gone");
        assertEquals("web\n", run("rm", "web").out());
        assertFalse(run("ps", "-a").out().contains("web"));
        assertFalse(jbox.containerDirs().contains(id));
    }

    @Test
    void stopSendsSigtermFirst() throws Exception {
        String id = run("run", "-d", "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done").out().trim();
        long t0 = System.nanoTime();
        assertEquals(0, run("stop", id).code());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "a program that handles SIGTERM stops before the 10 s timeout");
        assertEquals("exited 3\n", run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).out());
        assertEquals(0, run("rm", id).code());
    }

    @Test
    void removingARunningContainerNeedsForce() throws Exception {
        String id = run("run", "-d", "busybox", "sleep", "1000").out().trim();
        var refused = run("rm", id);
        assertEquals(1, refused.code(), "docker rm exits 1 for a container it cannot remove");
        assertTrue(refused.err().contains("it is running") && refused.err().contains("rm -f"), refused.err());
        assertEquals(0, run("rm", "-f", id.substring(0, 8)).code());
        assertTrue(Jbox.cgroupsOf(id).isEmpty());
        assertFalse(jbox.containerDirs().contains(id));
    }

    @Test
    void createStartLogsAndExitCode() throws Exception {
        String id = run("create", "--name", "once", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3").out().trim();
        assertTrue(run("ps", "-a").out().contains("Created"));
        assertEquals("once\n", run("start", "once").out());
        for (int i = 0; i < 100 && !run("ps", "-a").out().contains("Exited (3)"); i++) Thread.sleep(50);
        assertTrue(run("ps", "-a").out().contains("Exited (3)"));
        var logs = run("logs", "once");
        assertEquals("out\n", logs.out(), "stdout comes back on stdout");
        assertEquals("err\n", logs.err(), "stderr comes back on stderr, as docker logs does");
        var inspect = run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}}", "once");
        assertEquals("exited 3 /once\n", inspect.out());
        assertEquals(0, run("rm", id).code());
    }

    @Test
    void runRmLeavesNoTrace() throws Exception {
        String before = Jbox.hostMounts();
        List<String> containersBefore = jbox.containerDirs();
        assertEquals(0, run("run", "--rm", "busybox", "true").code());
        assertEquals(containersBefore, jbox.containerDirs());
        assertEquals(before, Jbox.hostMounts(), "the host's mount table is unchanged");
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) {
                Path parent = h.resolve("jbox");
                if (Files.isDirectory(parent)) {
                    try (var c = Files.list(parent)) {
                        assertTrue(c.noneMatch(p -> Files.isDirectory(p) && p.getFileName().toString().length() == 64
                                && !isRunningElsewhere(p)), "no container cgroup is left in " + parent);
                    }
                }
            }
        }
    }

    private static boolean isRunningElsewhere(Path cgroup) {
        try {
            return !Files.readString(cgroup.resolve("cgroup.procs")).isBlank();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void procMountMethodIsRecorded() throws Exception {
        String id = run("run", "-d", "busybox", "sleep", "30").out().trim();
        try {
            String method = run("inspect", "-f", "{{.JboxProcMount}}", id).out().trim();
            if ("fallback".equals(procMode())) assertEquals("fallback", method);
            else assertTrue(method.equals("pidns") || method.equals("fallback"), method);
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
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("got TERM", reader.readLine());
        assertEquals(42, p.exitValue());
    }

    @Test
    void aContainerWhoseEngineWasKilledIsCleanedUp() throws Exception {
        Process p = jbox.start("run", "--name", "orphan", "busybox", "sleep", "1000");
        String id = null;
        for (int i = 0; i < 200 && id == null; i++) {
            var ps = run("ps", "-q", "--no-trunc");
            if (!ps.out().isBlank()) id = ps.out().lines().filter(l -> !l.isBlank()).findFirst().orElse(null);
            else Thread.sleep(50);
        }
        assertNotNull(id, "the container came up");
        Sys.kill((int) p.pid(), 9);
        p.waitFor();
        assertTrue(run("ps").out().contains("orphan"), "the container outlives its killed engine");
        var rm = run("rm", "-f", "orphan");
        assertEquals(0, rm.code(), rm.all());
        assertTrue(Jbox.cgroupsOf(id).isEmpty());
        assertFalse(jbox.containerDirs().contains(id));

        Process q = jbox.start("run", "--name", "lost", "busybox", "sleep", "1000");
        String pid = null;
        for (int i = 0; i < 200 && (pid == null || pid.isEmpty() || pid.equals("0")); i++) {
            pid = run("inspect", "-f", "{{.State.Pid}}", "lost").out().trim();
            if (pid.isEmpty() || pid.equals("0")) Thread.sleep(50);
        }
        Sys.kill((int) q.pid(), 9);
        q.waitFor();
        Sys.kill(Integer.parseInt(pid), 9);
        Thread.sleep(200);
        var ps = run("ps", "-a");
        assertTrue(ps.out().contains("Exited (255)"), "exit status lost with its engine: " + ps.out());
        assertTrue(run("inspect", "-f", "{{.State.Error}}", "lost").out().contains("exit status unknown"));
        assertEquals(0, run("rm", "lost").code());
    }
}
