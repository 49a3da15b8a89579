package jbox.it;

import jbox.io.AtomicFiles;
import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A jbox root on a small disk of its own (an ext4 image on a loop device) that a container fills:
 * the commands a user frees space with still work, the exit of the container that filled it is kept,
 * and what cannot be done says that the disk is full and leaves nothing half-made.
 */
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiskFullTest {
    private Path work;
    private Path mount;
    private Jbox jbox;

    private static Jbox.Result sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Jbox.Result(p.exitValue(), out, "");
    }

    @BeforeAll
    void smallDisk() throws Exception {
        Requires.that(Sys.isRoot(), "containers need root; run the tests with sudo ./run-tests");
        machine = MachineLock.take(getClass());
        work = Files.createTempDirectory(Jbox.HOME.resolve("target"), "diskfull-");
        Path image = work.resolve("disk.img");
        mount = Files.createDirectory(work.resolve("mnt"));
        assertEquals(0, sh("truncate", "-s", "48M", image.toString()).code());
        var mkfs = sh("mkfs.ext4", "-q", "-F", image.toString());
        assertEquals(0, mkfs.code(), mkfs.out());
        var m = sh("mount", "-o", "loop", image.toString(), mount.toString());
        assertEquals(0, m.code(), "a loop device for the small disk: " + m.out());
        jbox = new Jbox(mount.resolve("root"));
        var pull = jbox.run("pull", "busybox");
        assertEquals(0, pull.code(), pull.all());
    }

    @AfterAll
    void removeDisk() throws Exception {
        try (MachineLock ignored = machine) {
            removeDiskAndRoot();
        }
    }

    private MachineLock machine;

    private void removeDiskAndRoot() throws Exception {
        if (jbox != null) for (String id : jbox.containerDirs()) jbox.run("rm", "-f", id);
        if (mount != null) {
            var u = sh("umount", mount.toString());
            assertEquals(0, u.code(), "the disk is unmounted (its loop device goes with it): " + u.out());
        }
        if (work != null) AtomicFiles.deleteTree(work);
    }

    private long available() throws Exception {
        return Files.getFileStore(mount).getUsableSpace();
    }

    @Test
    void aFullDiskStillLetsTheUserLookStopAndFreeSpace() throws Exception {
        assertEquals(0, jbox.run("run", "-d", "--name", "sleeper", "busybox", "sleep", "1000").code());
        var filler = jbox.run("run", "-d", "--name", "filler", "busybox", "sh", "-c", "echo started; dd if=/dev/zero of=/big bs=64k 2>/dev/null; exit 3");
        assertEquals(0, filler.code(), filler.all());
        Eventually.waitFor(() -> jbox.run("inspect", "-f", "{{.State.Status}}", "filler").out().trim().equals("exited"), "the filler to fill the disk and exit");
        assertEquals("3\n", jbox.run("inspect", "-f", "{{.State.ExitCode}}", "filler").out(), "its exit code was kept although the disk was full");
        assertTrue(available() < 5 << 20, "the disk is (nearly) full: " + available() + " bytes left");

        var ps = jbox.run("ps", "-a");
        assertEquals(0, ps.code(), ps.all());
        assertTrue(ps.out().contains("sleeper") && ps.out().contains("Exited (3)"), ps.out());
        var logs = jbox.run("logs", "filler");
        assertEquals(0, logs.code(), logs.all());
        assertTrue(logs.out().startsWith("started\n"), logs.all());

        List<String> before = jbox.containerDirs();
        var refused = jbox.run("run", "--rm", "busybox", "true");
        assertNotEquals(0, refused.code());
        assertTrue(refused.err().contains("disk is full") || refused.err().contains("No space left on device"), refused.all());
        assertEquals(before, jbox.containerDirs(), "a refused run leaves no directory");

        Path ctx = Files.createDirectory(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN echo hi > /f\n");
        Files.write(ctx.resolve("payload"), new byte[8 << 20]);
        var build = jbox.run(120, "build", "-t", "full:1", ctx.toString());
        assertNotEquals(0, build.code());
        assertTrue(build.err().contains("disk is full"), "a build says the disk is full: " + build.all());

        var kill = jbox.run("kill", "sleeper");
        assertEquals(0, kill.code(), kill.all());
        Eventually.waitFor(() -> jbox.run("inspect", "-f", "{{.State.Status}}", "sleeper").out().trim().equals("exited"), "the killed container's exit to be recorded");
        assertEquals("137\n", jbox.run("inspect", "-f", "{{.State.ExitCode}}", "sleeper").out());
        var rm = jbox.run("rm", "-f", "sleeper", "filler");
        assertEquals(0, rm.code(), rm.all());
        assertTrue(available() > 20 << 20, "removing the filler gave the space back: " + available());
        assertEquals("ok\n", jbox.run("run", "--rm", "busybox", "echo", "ok").out(), "and jbox works as before");
    }
}
