package jbox.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Data that outlives a container: named and anonymous volumes, bind mounts, tmpfs, a read-only root,
 * the volume commands, a hostile symlink that tries to point a mount outside the root, and the docker
 * CLI's flags through jbox's daemon.
 */
class VolumeTest extends RealEngineTest {
    @Test
    void dataInANamedVolumeOutlivesItsContainer() throws Exception {
        var write = jbox.run("run", "--rm", "-v", "notes:/data", "busybox", "sh", "-c", "echo kept > /data/f");
        assertEquals(0, write.code(), write.all());
        assertEquals("kept\n", jbox.run("run", "--rm", "-v", "notes:/data:ro", "busybox", "cat", "/data/f").out(), "a new container sees it");
        var ro = jbox.run("run", "--rm", "--mount", "type=volume,source=notes,target=/data,readonly", "busybox", "sh", "-c", "echo x > /data/g");
        assertNotEquals(0, ro.code());
        assertTrue(ro.err().contains("Read-only file system"), ro.err());
        assertEquals(0, jbox.run("volume", "rm", "notes").code());
    }

    @Test
    void aNewVolumeIsFilledFromTheImageOnce() throws Exception {
        // As in docker, the image's /etc includes the files of the init layer that /etc/hosts, hostname and resolv.conf are bound over.
        assertEquals("group\nhostname\nhosts\npasswd\nresolv.conf\n", jbox.run("run", "--rm", "-v", "etc-copy:/etc", "busybox", "ls", "/etc").out(), "seeded from the image");
        assertEquals(0, jbox.run("run", "--rm", "-v", "etc-copy:/etc", "busybox", "rm", "/etc/group").code());
        assertEquals("hostname\nhosts\npasswd\nresolv.conf\n", jbox.run("run", "--rm", "-v", "etc-copy:/etc", "busybox", "ls", "/etc").out(), "not filled again");
        assertTrue(Files.isRegularFile(jbox.root.resolve("volumes/etc-copy/_data/passwd")), "docker's layout: ROOT/volumes/NAME/_data");
        assertEquals(0, jbox.run("volume", "rm", "etc-copy").code());
    }

    @Test
    void bindMountsShowHostFilesReadOnlyOrNot() throws Exception {
        Path host = Files.createDirectories(jbox.root.resolve("host-dir"));
        Files.writeString(host.resolve("h.txt"), "from the host\n");
        var ro = jbox.run("run", "--rm", "-v", host + ":/mnt:ro", "busybox", "sh", "-c", "cat /mnt/h.txt; echo x > /mnt/new");
        assertEquals("from the host\n", ro.out());
        assertTrue(ro.err().contains("can't create /mnt/new: Read-only file system"), ro.err());
        assertFalse(Files.exists(host.resolve("new")));
        assertEquals(0, jbox.run("run", "--rm", "--mount", "type=bind,src=" + host + ",dst=/mnt", "busybox", "sh", "-c", "echo written > /mnt/w").code());
        assertEquals("written\n", Files.readString(host.resolve("w")), "a read-write bind writes through to the host");

        var missing = jbox.run("run", "--rm", "-v", jbox.root.resolve("no-such-dir") + ":/mnt", "busybox", "true");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("bind source path does not exist") && missing.err().contains("fix: create it"), missing.err());
        var bad = jbox.run("run", "--rm", "--mount", "type=nfs,target=/x", "busybox", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("is not bind, volume or tmpfs"), bad.err());
    }

    @Test
    void aSymlinkInTheImageCannotPointAMountOutsideTheRoot() throws Exception {
        // The image's /data is a symlink to a host path; the mount at /data/sub must land inside the container's root.
        Path escape = Files.createDirectories(jbox.root.resolve("escape-target"));
        Path ctx = Files.createDirectories(jbox.root.resolve("hostile-ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN ln -s " + escape + " /data\n");
        var built = jbox.run("build", "-t", "hostile:1", ctx.toString());
        assertEquals(0, built.code(), built.all());
        var r = jbox.run("run", "--rm", "-v", "hostile-vol:/data/sub", "--tmpfs", "/data/t", "hostile:1", "sh", "-c",
                "echo inside > /data/sub/f && cat /data/sub/f && grep -c ' " + escape + "/' /proc/mounts");
        assertEquals(0, r.code(), r.all());
        assertEquals("inside\n2\n", r.out(), "both mounts are there, at the symlink's target inside the container");
        try (var s = Files.list(escape)) {
            assertEquals(0, s.count(), "nothing was made or mounted in the host's directory");
        }
        assertEquals("inside\n", Files.readString(jbox.root.resolve("volumes/hostile-vol/_data/f")));
        jbox.run("volume", "rm", "hostile-vol");
        jbox.run("rmi", "hostile:1");
    }

    @Test
    void tmpfsAndAReadOnlyRoot() throws Exception {
        var t = jbox.run("run", "--rm", "--tmpfs", "/scratch:size=1m", "busybox", "sh", "-c",
                "grep ' /scratch ' /proc/mounts | cut -d' ' -f3; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>&1 | grep -c 'No space'");
        assertEquals("tmpfs\n1\n", t.out(), "a size-limited tmpfs: " + t.all());
        var ro = jbox.run("run", "--rm", "--read-only", "--tmpfs", "/tmp", "-v", "rw-vol:/data", "busybox", "sh", "-c",
                "touch /x 2>&1; touch /tmp/ok && echo tmp-ok; touch /data/ok && echo data-ok");
        assertEquals("touch: /x: Read-only file system\ntmp-ok\ndata-ok\n", ro.out(), "the root is read-only, tmpfs and volumes are not");
        jbox.run("volume", "rm", "rw-vol");
    }

    @Test
    void theVolumeCommandsAndRmV() throws Exception {
        assertEquals("made\n", jbox.run("volume", "create", "--label", "course=containers", "made").out());
        assertTrue(jbox.run("volume", "ls").out().contains("local    made"), jbox.run("volume", "ls").out());
        assertTrue(jbox.run("volume", "inspect", "made").out().contains("\"course\" : \"containers\""));
        assertEquals(0, jbox.run("create", "--name", "holder", "-v", "made:/data", "-v", "/anonymous", "busybox", "true").code());
        var inUse = jbox.run("volume", "rm", "made");
        assertEquals(125, inUse.code());
        assertTrue(inUse.err().contains("volume is in use - [holder]"), "names the container: " + inUse.err());
        String anonymous = jbox.run("inspect", "-f", "{{json .Mounts}}", "holder").out().replaceAll("(?s).*\"Name\":\"([0-9a-f]{64})\".*", "$1").trim();
        assertTrue(anonymous.matches("[0-9a-f]{64}"), anonymous);
        assertEquals(0, jbox.run("rm", "-v", "holder").code());
        String left = jbox.run("volume", "ls", "-q").out();
        assertTrue(left.contains("made") && !left.contains(anonymous), "rm -v removed the anonymous volume, not the named one: " + left);
        assertEquals(0, jbox.run("volume", "rm", "made").code());
        assertFalse(Files.exists(jbox.root.resolve("volumes/made")));
        assertEquals(125, jbox.run("volume", "rm", "made").code());
        assertEquals(0, jbox.run("volume", "rm", "-f", "made").code(), "-f: a missing volume is fine");
    }

    @Test
    void theDockerCliMountsThroughJboxsDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        Path host = Files.createDirectories(jbox.root.resolve("docker-host-dir"));
        Files.writeString(host.resolve("h"), "host file\n");
        try (JboxDaemon daemon = new JboxDaemon(jbox)) {
            assertEquals(0, daemon.docker("run", "--rm", "-v", "dvol:/data", "busybox", "sh", "-c", "echo via-docker > /data/f").code());
            var r = daemon.docker("run", "--rm", "--read-only", "--tmpfs", "/tmp", "-v", "dvol:/data", "-v", host + ":/mnt:ro", "busybox", "sh", "-c",
                    "cat /data/f /mnt/h; touch /x 2>&1; touch /tmp/y && echo tmp-ok");
            assertEquals(0, r.code(), r.all());
            assertEquals("via-docker\nhost file\ntouch: /x: Read-only file system\ntmp-ok\n", r.out());
            assertTrue(daemon.docker("volume", "ls").out().contains("dvol"));
            assertEquals(0, daemon.docker("volume", "rm", "dvol").code());
        }
    }
}
