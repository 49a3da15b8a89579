package jbox.it;

import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input and hostile environments: a clear message, exit code 125, and nothing left behind. */
class ErrorsTest extends RealEngineTest {
    @AfterAll
    void failedCommandsLeaveNoContainer() throws Exception {
        if (jbox != null) assertEquals(List.of(), jbox.containerDirs(), "failed commands leave no container behind");
    }

    @Test
    void unknownFlagsAreRejectedLikeDocker() throws Exception {
        var r = jbox.run("run", "--bogus", "busybox");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("See 'jbox run --help'"), r.err());
    }

    @Test
    void malformedImageReferencesSayWhy() throws Exception {
        var r = jbox.run("run", "--rm", "BusyBox");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("invalid reference format \"BusyBox\"") && r.err().contains("lowercase"), r.err());
    }

    @Test
    void unknownImagesNameWhatIsAvailable() throws Exception {
        var r = jbox.run("pull", "nosuchimage");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("nosuchimage") && r.err().contains("busybox"), r.err());
        var run = jbox.run("run", "--rm", "nosuchimage");
        assertTrue(run.err().contains("Unable to find image 'nosuchimage:latest' locally"), run.err());
    }

    @Test
    void unknownContainersAreReported() throws Exception {
        var r = jbox.run("stop", "nosuchcontainer");
        assertEquals(1, r.code(), "docker stop exits 1 too");
        assertTrue(r.err().contains("No such container: nosuchcontainer"), r.err());
    }

    @Test
    void oddAndOverlongNamesGetAClearRefusal() throws Exception {
        String longName = "n".repeat(300);
        for (String name : List.of("my box", "a;b", "x?y=1", longName)) {
            var r = jbox.run("create", "--name", name, "busybox", "true");
            assertEquals(125, r.code(), name + ": " + r.all());
            assertTrue(r.err().contains("Invalid name") || r.err().contains("Invalid container name"), "the name itself is refused, not the request: " + r.all());
            assertFalse(r.err().contains("disk space"), "the cause fits the error: " + r.all());
        }
        var net = jbox.run("network", "create", longName);
        assertEquals(125, net.code(), net.all());
        assertTrue(net.err().contains("invalid network name") && net.err().contains("1 to 128"), net.all());
        var stop = jbox.run("stop", "my box");
        assertTrue(stop.err().contains("No such container: my box"), "a name with a space reaches the daemon as typed: " + stop.all());
        assertFalse(jbox.run("ps", "-a").out().contains("nnnnnnnnnn"), "no container was made with the long name");
    }

    @Test
    void aCutOffArchiveIsCalledThat() throws Exception {
        Path whole = jbox.root.resolve("whole.tar");
        assertEquals(0, jbox.run("save", "-o", whole.toString(), "busybox").code());
        byte[] all = Files.readAllBytes(whole);
        Path cut = jbox.root.resolve("cut.tar");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        var r = jbox.run("load", "-i", cut.toString());
        assertEquals(125, r.code(), r.all());
        assertTrue(r.err().contains("the archive ends early") && r.err().contains("cut off while it was written or sent"), r.all());
        assertFalse(r.err().contains("disk space"), "the cause fits the error: " + r.all());
    }

    @Test
    void rmGoesOnPastAMissingNameAndReportsEach() throws Exception {
        assertEquals(0, jbox.run("create", "--name", "first-of-three", "busybox", "true").code());
        assertEquals(0, jbox.run("run", "-d", "--name", "third-of-three", "busybox", "sleep", "100").code());
        var r = jbox.run("rm", "-f", "first-of-three", "missing-of-three", "third-of-three");
        assertEquals(1, r.code(), r.all());
        assertEquals("first-of-three\nthird-of-three\n", r.out(), "the others are removed and named, as docker does");
        assertTrue(r.err().contains("No such container: missing-of-three"), r.err());
        assertEquals(1, jbox.run("inspect", "first-of-three").code());
        assertEquals(1, jbox.run("inspect", "third-of-three").code());
    }

    /** Without root jbox runs in the user's own namespace (RootlessTest); root's jbox root stays out of its reach. */
    @Test
    void withoutRootAJboxRootOfRootsIsRefusedNamingTheUsersOwn() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Jbox.HOME.resolve("jbox").toString(), "run", "--rm", "busybox", "true"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JBOX_ROOT", jbox.root.resolve("not-yours").toString());
        pb.environment().put("HOME", "/nonexistent"); // nobody's, as a login would set it
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(125, p.waitFor());
        assertTrue(out.contains("jbox: Error: ") && out.contains("permission denied") && out.contains("  likely cause: jbox runs without root, and these files belong to another user")
                && out.contains("  fix: use your own: unset JBOX_ROOT (yours is /nonexistent/.local/share/jbox), or run jbox with sudo"), "what failed, why, and the fix: " + out);
        Eventually.waitFor(() -> !Files.exists(Path.of("/tmp/jbox-65534/userns.pid")), "nobody's jbox-userns to end by itself (it removes its pid file)");
        Jbox.exec(10, "rm", "-rf", "/tmp/jbox-65534"); // its run directory (mode 0700, nobody's): left by design for nobody's next jbox
    }


    @Test
    void aJboxRootWhereOverlayCannotWorkIsExplained() throws Exception {
        Path base = Files.createTempDirectory(jbox.root, "ovl-");
        for (String d : List.of("l", "u", "w", "m")) Files.createDirectories(base.resolve(d));
        Path m = base.resolve("m");
        Sys.mount("overlay", m.toString(), "overlay", 0,
                "lowerdir=" + base.resolve("l") + ",upperdir=" + base.resolve("u") + ",workdir=" + base.resolve("w"));
        try {
            Jbox onOverlay = new Jbox(m);
            var r = onOverlay.run("run", "--rm", "busybox", "true");
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().contains("overlay") && r.err().contains("JBOX_ROOT"), r.err());
            assertEquals(List.of(), onOverlay.containerDirs(), "the failed --rm container is gone");
        } finally {
            Sys.umount2(m.toString(), 0);
        }
    }
}
