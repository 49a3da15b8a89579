package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** jbox save / jbox load, checked with skopeo both ways, and a hostile archive refused. */
class ArchiveTest extends RealEngineTest {
    private static String skopeo(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void savedImagesMoveToSkopeoAndBack() throws Exception {
        Requires.that(Files.isExecutable(Path.of("/usr/bin/skopeo")), "./run-tests installs skopeo");
        Path saved = jbox.root.resolve("busybox.tar");
        var save = jbox.run("save", "-o", saved.toString(), "busybox");
        assertEquals(0, save.code(), save.all());
        JsonNode seen = Json.MAPPER.readTree(skopeo("skopeo", "inspect", "docker-archive:" + saved));
        String diffId = jbox.run("inspect", "-f", "{{json .RootFS.Layers}}", "busybox").out().trim();
        assertEquals(Json.MAPPER.readTree(diffId).get(0).asText(), seen.path("Layers").get(0).asText(),
                "skopeo reads the layer jbox saved, with the digest jbox knows it by");

        Path oci = jbox.root.resolve("from-skopeo.tar");
        skopeo("skopeo", "copy", "docker-archive:" + saved, "oci-archive:" + oci + ":school/busybox:2");
        var load = jbox.run("load", "-i", oci.toString());
        assertEquals(0, load.code(), load.all());
        assertTrue(load.out().contains("Loaded image: school/busybox:2"), load.out());
        assertEquals("from an OCI archive\n", jbox.run("run", "--rm", "school/busybox:2", "echo", "from an OCI archive").out());

        jbox.run("tag", "busybox", "again/busybox:1");
        jbox.run("rmi", "again/busybox:1");
        var back = jbox.run("load", "-i", saved.toString());
        assertEquals(0, back.code(), back.all());
        assertTrue(back.out().contains("Loaded image: busybox:latest"), back.out());
        jbox.run("rmi", "school/busybox:2");
    }

    @Test
    void podmanRunsWhatJboxSavedAndJboxRunsWhatPodmanSaved() throws Exception {
        Requires.that(Files.isExecutable(Podman.BINARY), "podman is not installed: ./run-tests installs it");
        Path saved = jbox.root.resolve("for-podman.tar");
        assertEquals(0, jbox.run("save", "-o", saved.toString(), "busybox").code());
        try (Podman podman = new Podman()) {
            var load = podman.run("load", "-i", saved.toString());
            assertEquals(0, load.code(), load.out());
            assertTrue(load.out().contains("Loaded image: localhost/busybox:latest"), load.out());
            var run = podman.run("run", "--rm", "--network", "none", "busybox", "echo", "jbox built, podman ran");
            assertEquals(0, run.code(), run.out());
            assertEquals("jbox built, podman ran\n", run.out());
            var cmd = podman.run("image", "inspect", "--format", "{{.Config.Cmd}}", "busybox");
            assertEquals("[sh]\n", cmd.out(), "podman reads the config jbox saved");

            for (String format : new String[]{"docker-archive", "oci-archive"}) {
                Path back = jbox.root.resolve("from-podman-" + format + ".tar");
                var save = podman.run("save", "--format", format, "-o", back.toString(), "localhost/busybox:latest");
                assertEquals(0, save.code(), save.out());
                jbox.run("rmi", "localhost/busybox:latest");
                var jload = jbox.run("load", "-i", back.toString());
                assertEquals(0, jload.code(), format + ": " + jload.all());
                assertTrue(jload.out().contains("Loaded image"), jload.out());
            }
            assertEquals("podman saved, jbox ran\n",
                    jbox.run("run", "--rm", "localhost/busybox:latest", "echo", "podman saved, jbox ran").out());
            jbox.run("rmi", "localhost/busybox:latest");
        }
    }

    /**
     * docker (Debian's dockerd with its own runc) loads and runs an image jbox built and saved; jbox loads
     * and runs docker's save of an image docker made with commit (two layers, docker's own archive writer).
     */
    @Test
    void dockerRunsWhatJboxBuiltAndJboxRunsWhatDockerSaved() throws Exception {
        Requires.that(Files.isExecutable(Path.of("/usr/sbin/dockerd")), "./run-tests installs dockerd (docker.io, which brings runc)");
        Path ctx = Files.createDirectories(jbox.root.resolve("ctx-for-docker"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY note.txt /srv/note.txt\nRUN echo built-by-jbox > /srv/run.txt\nENV WHO=jbox\nCMD [\"sh\", \"-c\", \"cat /srv/note.txt /srv/run.txt; echo $WHO\"]\n");
        Files.writeString(ctx.resolve("note.txt"), "copied\n");
        var build = jbox.run("build", "-q", "-t", "school/for-docker:1", ctx.toString());
        assertEquals(0, build.code(), build.all());
        Path saved = jbox.root.resolve("for-docker.tar");
        assertEquals(0, jbox.run("save", "-o", saved.toString(), "school/for-docker:1").code());
        try (Dockerd dockerd = new Dockerd(OciRuntimeTest.RUNC)) {
            var load = dockerd.docker("load", "-i", saved.toString());
            assertEquals(0, load.code(), load.all());
            assertTrue(load.out().contains("Loaded image: school/for-docker:1"), load.out());
            var run = dockerd.docker("run", "--rm", "--network", "none", "school/for-docker:1");
            assertEquals(0, run.code(), run.all());
            assertEquals("copied\nbuilt-by-jbox\njbox\n", run.out(), "docker runs jbox's layers with jbox's config (Env, Cmd)");
            String ids = dockerd.docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", "school/for-docker:1").out().trim();
            assertEquals(Json.MAPPER.readTree(jbox.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "school/for-docker:1").out().trim()),
                    Json.MAPPER.readTree(ids), "docker knows the layers by the same diffIDs");

            var made = dockerd.docker("run", "--name", "maker", "--network", "none", "school/for-docker:1", "sh", "-c", "echo made-in-docker > /srv/docker.txt; rm /srv/note.txt");
            assertEquals(0, made.code(), made.all());
            assertEquals(0, dockerd.docker("commit", "-c", "CMD [\"cat\", \"/srv/docker.txt\"]", "maker", "school/from-docker:1").code());
            Path back = jbox.root.resolve("from-docker.tar");
            var save = dockerd.docker("save", "-o", back.toString(), "school/from-docker:1");
            assertEquals(0, save.code(), save.all());
            var jload = jbox.run("load", "-i", back.toString());
            assertEquals(0, jload.code(), jload.all());
            assertTrue(jload.out().contains("Loaded image: school/from-docker:1"), jload.out());
            assertEquals("made-in-docker\n", jbox.run("run", "--rm", "school/from-docker:1").out(), "jbox runs docker's commit with docker's Cmd");
            var gone = jbox.run("run", "--rm", "school/from-docker:1", "sh", "-c", "test -e /srv/note.txt && echo still-there || echo deleted; cat /srv/run.txt");
            assertEquals("deleted\nbuilt-by-jbox\n", gone.out(), "docker's whiteout hides the file in jbox too: " + gone.all());
        }
        jbox.run("rmi", "school/from-docker:1");
        jbox.run("rmi", "school/for-docker:1");
    }

    @Test
    void aHostileArchiveIsRefusedAndWritesNothing() throws Exception {
        Path evil = jbox.root.resolve("evil.tar");
        Path victim = jbox.root.resolve("victim");
        try (OutputStream f = Files.newOutputStream(evil); TarArchiveOutputStream tar = new TarArchiveOutputStream(f)) {
            byte[] data = "owned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("../../victim");
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        var r = jbox.run("load", "-i", evil.toString());
        assertEquals(125, r.code());
        assertTrue(r.err().contains("refusing") && r.err().contains("../../victim"), r.err());
        assertFalse(Files.exists(victim), "nothing was written outside");
        try (var s = Files.list(jbox.root.resolve("images"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".load-")), "no temporary folder is left");
        }
        Files.writeString(evil, "not a tar at all");
        var junk = jbox.run("load", "-i", evil.toString());
        assertEquals(125, junk.code());
        assertFalse(junk.err().isBlank());
    }

}
