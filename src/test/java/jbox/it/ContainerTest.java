package jbox.it;

import jbox.io.AtomicFiles;
import jbox.io.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real containers through the real launcher, observed from inside with busybox as the probe: the
 * tests of {@link ProcMountedTests} with the /proc mount the kernel supports, and the rest, which
 * do not depend on it, once.
 */
class ContainerTest extends ProcMountedTests {

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
    void aRemovalCutShortByAKillIsFinishedByTheNextJbox() throws Exception {
        // jbox takes a removed container out of sight first, renaming its directory .trash-OWNER-ID, and removes its
        // cgroup and files after, in the background: a jbox killed in between leaves that much, as here. (Its network
        // address went before, with the exit: no network here.)
        String id = run("run", "-d", "--network", "none", "busybox", "sleep", "1000").out().trim();
        int pid = pidOf(id);
        assertFalse(Jbox.cgroupsOf(id).isEmpty(), "a running container has its cgroup");
        Process owner = new ProcessBuilder("true").start();
        owner.waitFor();
        Path trash = jbox.root.resolve("containers").resolve(".trash-" + owner.pid() + ".1-" + id);
        Files.move(jbox.root.resolve("containers").resolve(id), trash);
        assertFalse(run("ps", "-a", "-q", "--no-trunc").out().contains(id), "out of sight");
        assertFalse(Files.exists(trash), "the next jbox removed what its killed owner left");
        assertEquals(List.of(), Jbox.cgroupsOf(id), "and the cgroup, with the process in it");
        Eventually.waitFor(() -> !Files.exists(Path.of("/proc/" + pid + "/cgroup")) || !Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep"),
                "the container's process to end");
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
        Eventually.waitFor(() -> run("ps", "-a").out().contains("Exited (3)"), "the container to exit with 3");
        var logs = run("logs", "once");
        assertEquals("out\n", logs.out(), "stdout comes back on stdout");
        assertEquals("err\n", logs.err(), "stderr comes back on stderr, as docker logs does");
        var inspect = run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}}", "once");
        assertEquals("exited 3 /once\n", inspect.out());
        assertEquals(0, run("rm", id).code());
    }

    @Test
    void backgroundContainersShareOneMonitorThatEndsAfterTheLast() throws Exception {
        String a = run("run", "-d", "busybox", "sleep", "1000").out().trim();
        String b = run("run", "-d", "busybox", "sleep", "1000").out().trim();
        String c = run("run", "-d", "busybox", "sh", "-c", "echo done; exit 5").out().trim();
        int monitor = parentOf(pidOf(a));
        assertEquals(monitor, parentOf(pidOf(b)), "one monitor is the parent of every background container of the store");
        assertTrue(Files.readString(Path.of("/proc/" + monitor + "/cmdline")).contains("_monitor"), "the parent is jbox's monitor");
        Eventually.waitFor(() -> run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", c).out().equals("exited 5\n"), "the third to exit with 5");
        assertEquals("done\n", run("logs", c).out(), "the monitor logged its output");
        String socket = listeningSocketOf(monitor);
        assertTrue(socket.startsWith("/run/jbox/monitors/"), "the monitor listens in root's run directory: " + socket);
        assertEquals(0, run("rm", "-f", a, b, c).code());
        Eventually.waitFor(() -> ended(monitor), "the monitor to end after its last container");
        assertFalse(Files.exists(Path.of(socket)), "its socket is removed with it");
    }

    private int pidOf(String id) throws Exception {
        return Integer.parseInt(run("inspect", "-f", "{{.State.Pid}}", id).out().trim());
    }

    private static int parentOf(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("PPid:")) return Integer.parseInt(line.substring(5).trim());
        }
        throw new AssertionError("no PPid for " + pid);
    }

    private static boolean ended(int pid) throws Exception {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst("^.*\\) ", "").startsWith("Z");
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
    }

    /** The path of the Unix socket pid listens on, as ss shows it. */
    private static String listeningSocketOf(int pid) throws Exception {
        var ss = Jbox.exec(10, "ss", "-xlpH");
        for (String line : ss.out().split("\n")) {
            if (line.contains("pid=" + pid + ",")) return line.trim().split("\\s+")[4];
        }
        throw new AssertionError("pid " + pid + " listens on no Unix socket:\n" + ss.out());
    }
}
