package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * jbox build and jbox commit against the real engine: every instruction seen from inside the built
 * image, the cache, two builds giving one digest, a failing RUN leaving nothing behind, Dockerfile
 * errors with file and line, and the images read by skopeo and run by podman.
 */
class BuildTest extends RealEngineTest {
    private Path ctx;

    private static final String DOCKERFILE = """
            # every instruction the builder knows
            ARG BASE=busybox
            FROM $BASE
            ARG GREETING=hello
            ARG UNUSED_DEFAULT
            ENV APP=/app \\
                MODE="test mode"
            WORKDIR $APP
            COPY hello.txt ./
            COPY --chown=1234:99 sub/ /app/sub/
            COPY *.md /docs/
            ADD files.tar.gz /opt/
            RUN echo "$GREETING from RUN, MODE=$MODE" > /app/run.txt \\
             && echo 'kid:x:1234:1234::/home/kid:/bin/sh' >> /etc/passwd \\
             && rm /bin/vi
            RUN ["sh", "-c", "echo json form > /app/json.txt"]
            USER kid
            LABEL org.example.course="containers" version=1
            EXPOSE 8080 53/udp
            STOPSIGNAL SIGINT
            ENTRYPOINT ["cat"]
            CMD ["/app/run.txt"]
            """;

    @BeforeAll
    void context() throws Exception {
        ctx = jbox.root.resolve("ctx");
        Files.createDirectories(ctx.resolve("sub"));
        Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
        Files.writeString(ctx.resolve("hello.txt"), "hi from the context\n");
        Files.writeString(ctx.resolve("sub/a.txt"), "in sub\n");
        Files.writeString(ctx.resolve("one.md"), "one\n");
        Files.writeString(ctx.resolve("two.md"), "two\n");
        Files.writeString(ctx.resolve("secret.key"), "must not be sent\n");
        Files.writeString(ctx.resolve(".dockerignore"), "# keys stay home\n*.key\n");
        Path packed = jbox.root.resolve("packed/x");
        Files.createDirectories(packed);
        Files.writeString(packed.resolve("p.txt"), "unpacked by ADD\n");
        sh("tar", "-C", packed.getParent().toString(), "-czf", ctx.resolve("files.tar.gz").toString(), "x");
    }

    private static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private Jbox.Result build(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "build";
        System.arraycopy(args, 0, all, 1, args.length);
        return jbox.run(300, all);
    }

    @Test
    void everyInstructionShowsInTheImageAndItsContainers() throws Exception {
        var b = build("-t", "course/demo:1", "--build-arg", "GREETING=bonjour", "--build-arg", "NOT_DECLARED=1", ctx.toString());
        assertEquals(0, b.code(), b.all());
        assertTrue(b.out().startsWith("Step 1/18 : ARG BASE=busybox\nStep 2/18 : FROM $BASE\n"), b.out());
        assertTrue(b.out().contains(" ---> Running in ") && b.out().contains("Removing intermediate container "), b.out());
        assertTrue(b.out().contains("[Warning] One or more build-args [NOT_DECLARED] were not consumed"), b.out());
        assertTrue(b.out().contains("Successfully tagged course/demo:1"), b.out());

        assertEquals("bonjour from RUN, MODE=test mode\n", jbox.run("run", "--rm", "course/demo:1").out(), "ENTRYPOINT + CMD, ARG, ENV, RUN");
        var inside = jbox.run("run", "--rm", "--entrypoint", "sh", "course/demo:1", "-c",
                "id -u; pwd; cat hello.txt /app/json.txt /opt/x/p.txt /docs/one.md /docs/two.md; stat -c '%u:%g %n' /app/sub/a.txt;"
                        + " ls /bin/vi 2>&1; ls /app/secret.key 2>&1; echo \"GREETING=$GREETING\"");
        assertEquals(0, inside.code(), inside.all());
        assertEquals(String.join("\n", "1234", "/app", "hi from the context", "json form", "unpacked by ADD", "one", "two", "1234:99 /app/sub/a.txt",
                "ls: /bin/vi: No such file or directory", "ls: /app/secret.key: No such file or directory", "GREETING=") + "\n", inside.out(),
                "USER, WORKDIR, COPY, COPY --chown, COPY with a wildcard, ADD of a tarball, RUN's deletion, .dockerignore; build args are not kept");

        JsonNode cfg = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .Config}}", "course/demo:1").out());
        assertEquals("kid", cfg.path("User").asText());
        assertEquals("/app", cfg.path("WorkingDir").asText());
        assertEquals("containers", cfg.path("Labels").path("org.example.course").asText());
        assertEquals("[\"cat\"]", cfg.path("Entrypoint").toString());
        assertTrue(cfg.path("Env").toString().contains("MODE=test mode"), cfg.toString());
        String raw = jbox.run("inspect", "course/demo:1").out();
        assertTrue(raw.contains("8080/tcp") && raw.contains("53/udp") && raw.contains("SIGINT"), "EXPOSE and STOPSIGNAL: " + raw);
        assertFalse(jbox.run("images").out().contains("<none>"), "the build cache's step images are not listed");
    }

    @Test
    void theCacheIsUsedUntilAnInputChanges() throws Exception {
        Path c = copyContext("cache");
        assertEquals(0, build("-t", "course/cache:1", c.toString()).code());
        var again = build("-t", "course/cache:1", c.toString());
        assertEquals(0, again.code(), again.all());
        assertEquals(16, again.out().lines().filter(l -> l.equals(" ---> Using cache")).count(), "every step after FROM from the cache: " + again.out());
        assertFalse(again.out().contains("Running in"), again.out());

        Files.writeString(c.resolve("sub/a.txt"), "changed\n");
        var changed = build("-t", "course/cache:2", c.toString());
        assertEquals(0, changed.code(), changed.all());
        String out = changed.out();
        int copySub = out.indexOf("COPY --chown=1234:99 sub/ /app/sub/");
        assertTrue(out.substring(0, copySub).contains("Using cache") && !out.substring(copySub).contains("Using cache"),
                "steps before the changed COPY come from the cache, none after it: " + out);
        assertEquals("changed\n", jbox.run("run", "--rm", "--entrypoint", "cat", "course/cache:2", "/app/sub/a.txt").out());

        var fresh = build("--no-cache", "-t", "course/cache:3", c.toString());
        assertFalse(fresh.out().contains("Using cache"), fresh.out());
        assertEquals(0, jbox.run("builder", "prune", "-f").code());
        var afterPrune = build("-t", "course/cache:4", c.toString());
        assertFalse(afterPrune.out().contains("Using cache"), "prune forgot the cache: " + afterPrune.out());
    }

    @Test
    void twoBuildsOfTheSameInputsGiveOneDigest() throws Exception {
        Path c = copyContext("repro");
        assertEquals(0, build("--no-cache", "-t", "course/repro:a", c.toString()).code());
        // new modification times on every file: they must not matter
        try (var s = Files.walk(c)) {
            for (Path p : s.toList()) Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        }
        assertEquals(0, build("--no-cache", "-t", "course/repro:b", c.toString()).code());
        String a = jbox.run("inspect", "-f", "{{.Id}} {{json .RootFS.Layers}}", "course/repro:a").out();
        String b = jbox.run("inspect", "-f", "{{.Id}} {{json .RootFS.Layers}}", "course/repro:b").out();
        assertEquals(a, b, "same config digest and same layers");
    }

    @Test
    void aFailingRunShowsItsOutputAndLeavesNothingBehind() throws Exception {
        Path c = jbox.root.resolve("failing");
        Files.createDirectories(c);
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nRUN echo about to fail; echo on stderr >&2; exit 3\nCMD [\"true\"]\n");
        var r = build("-t", "course/failing", c.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("about to fail\n") && r.out().contains("on stderr\n"), "the step's output: " + r.out());
        assertTrue(r.err().contains("Dockerfile:2: RUN: The command '/bin/sh -c echo about to fail; echo on stderr >&2; exit 3' returned a non-zero code: 3"), r.err());
        assertTrue(jbox.run("ps", "-a", "-q").out().isBlank(), "no build container is left");
        assertFalse(jbox.run("images").out().contains("course/failing"), "no image is tagged");
        try (var s = Files.list(jbox.root.resolve("build"))) {
            assertEquals(List.of(), s.toList(), "no staging or context directory is left");
        }
    }

    @Test
    void volumeMakesEachContainerAnAnonymousVolumeFilledFromTheImage() throws Exception {
        Path c = Files.createDirectories(jbox.root.resolve("vol"));
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nRUN mkdir /data && echo seeded > /data/seed.txt\nVOLUME /data\n"
                + "RUN echo after > /data/after.txt\nHEALTHCHECK --interval=5s CMD [\"true\"]\n");
        var b = build("-q", "-t", "course/vol:1", c.toString());
        assertEquals(0, b.code(), b.all());
        assertEquals("{\"/data\":{}} [\"CMD\",\"true\"]\n",
                jbox.run("image", "inspect", "-f", "{{json .Config.Volumes}} {{json .Config.Healthcheck.Test}}", "course/vol:1").out());
        assertEquals("", jbox.run("volume", "ls", "-q").out());

        var run = jbox.run("run", "--name", "v1", "course/vol:1", "sh", "-c", "cat /data/seed.txt /data/after.txt; grep -c ' /data ' /proc/mounts");
        assertEquals("seeded\nafter\n1\n", run.out(), "a volume at /data, filled from the image (a RUN after VOLUME is kept, as BuildKit keeps it): " + run.all());
        JsonNode mounts = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .Mounts}}", "v1").out());
        assertEquals(1, mounts.size(), mounts.toString());
        assertEquals("/data", mounts.get(0).path("Destination").asText());
        String volume = mounts.get(0).path("Name").asText();
        assertEquals(volume + "\n", jbox.run("volume", "ls", "-q").out());
        assertEquals(0, jbox.run("rm", "-v", "v1").code());
        assertEquals("", jbox.run("volume", "ls", "-q").out(), "rm -v removes the container's anonymous volume");

        assertEquals("seeded\n", jbox.run("run", "--rm", "course/vol:1", "cat", "/data/seed.txt").out());
        assertEquals("", jbox.run("volume", "ls", "-q").out(), "--rm removes it too, as docker's does");
        assertEquals("seeded\n", jbox.run("run", "--rm", "-v", "kept:/data", "course/vol:1", "cat", "/data/seed.txt").out());
        assertEquals("kept\n", jbox.run("volume", "ls", "-q").out(), "-v NAME:/data takes the image's place; a named volume stays");
        assertEquals(0, jbox.run("volume", "rm", "kept").code());

        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nVOLUME data\n");
        var rel = build(c.toString());
        assertNotEquals(0, rel.code());
        assertTrue(rel.err().contains("Dockerfile:2: VOLUME") && rel.err().contains("not an absolute path"), rel.err());
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nHEALTHCHECK --every=5s CMD true\n");
        var flag = build(c.toString());
        assertNotEquals(0, flag.code());
        assertTrue(flag.err().contains("Dockerfile:2: HEALTHCHECK") && flag.err().contains("unknown flag --every"), flag.err());
        jbox.run("rmi", "course/vol:1");
    }

    @Test
    void aBuildKilledMidRunIsCleanedUpByTheNextCommand() throws Exception {
        Path c = jbox.root.resolve("killed");
        Files.createDirectories(c);
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nRUN echo started; sleep 60\n");
        ProcessBuilder pb = new ProcessBuilder(Jbox.HOME.resolve("jbox").toString(), "build", c.toString()).redirectErrorStream(true);
        pb.environment().putAll(jbox.env);
        Path log = jbox.root.resolve("killed.log");
        pb.redirectOutput(log.toFile());
        Process build = pb.start();
        for (int i = 0; i < 300 && !Files.readString(log).contains("started"); i++) Thread.sleep(100);
        assertTrue(Files.readString(log).contains("started"), Files.readString(log));
        assertTrue(jbox.run("ps").out().contains("build-b-"), "the RUN step's container is running");
        for (ProcessHandle h : build.toHandle().descendants().toList()) if (h.info().command().orElse("").endsWith("java")) h.destroyForcibly();
        build.destroyForcibly();
        assertTrue(build.waitFor(30, TimeUnit.SECONDS));
        assertFalse(jbox.run("ps", "-a").out().contains("build-b-"), "the next command removed the killed build's container");
        try (var s = Files.list(jbox.root.resolve("build"))) {
            assertEquals(List.of(), s.toList(), "and its working directory");
        }
    }

    @Test
    void dockerfileErrorsNameTheFileLineAndInstruction() throws Exception {
        Path c = jbox.root.resolve("bad");
        Files.createDirectories(c);
        Files.writeString(c.resolve("build.df"), "FROM busybox\n\n# comment\nRUNN echo typo\n");
        var typo = build("-f", c.resolve("build.df").toString(), c.toString());
        assertEquals(1, typo.code());
        assertTrue(typo.err().contains("build.df:4: unknown instruction RUNN"), typo.err());
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nCOPY missing.txt /\n");
        var missing = build(c.toString());
        assertTrue(missing.err().contains("Dockerfile:2: COPY: file not found in build context or excluded by .dockerignore: missing.txt"), missing.err());
        Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nCOPY ../../etc/passwd /\n");
        assertTrue(build(c.toString()).err().contains("forbidden path outside the build context"));
        Files.writeString(c.resolve("Dockerfile"), "RUN true\n");
        assertTrue(build(c.toString()).err().contains("Dockerfile:1: RUN: the first instruction must be FROM"));
        assertTrue(build(jbox.root.resolve("nowhere").toString()).err().contains("is not a directory"));
    }

    @Test
    void commitTurnsAContainersChangesIntoALayer() throws Exception {
        var run = jbox.run("run", "--name", "to-commit", "busybox", "sh", "-c", "echo made > /made.txt; rm /bin/vi; mkdir -p /etc/new");
        assertEquals(0, run.code(), run.all());
        var commit = jbox.run("commit", "-m", "a lesson", "-a", "Ada", "--change", "CMD [\"cat\", \"/made.txt\"]", "--change", "ENV STEP=2",
                "to-commit", "course/committed:1");
        assertEquals(0, commit.code(), commit.all());
        assertTrue(commit.out().trim().matches("sha256:[0-9a-f]{64}"), commit.out());
        assertEquals("made\n", jbox.run("run", "--rm", "course/committed:1").out());
        var check = jbox.run("run", "--rm", "course/committed:1", "sh", "-c", "ls /bin/vi 2>&1; echo STEP=$STEP; ls -d /etc/new");
        assertEquals("ls: /bin/vi: No such file or directory\nSTEP=2\n/etc/new\n", check.out(), "the deletion is a whiteout; the new config applies");
        JsonNode layers = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .RootFS.Layers}}", "course/committed:1").out());
        assertEquals(2, layers.size(), "one layer on top of busybox's: " + layers);
        var bad = jbox.run("commit", "--change", "RUN true", "to-commit", "course/committed:2");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("RUN cannot be used in a commit"), bad.err());
        jbox.run("rm", "to-commit");
    }

    @Test
    void builtImagesAreReadBySkopeoAndRunByPodman() throws Exception {
        Requires.that(Files.isExecutable(Path.of("/usr/bin/skopeo")) && Files.isExecutable(Podman.BINARY), "./run-tests installs skopeo and podman");
        Path c = copyContext("interop");
        assertEquals(0, build("-t", "course/interop:1", c.toString()).code());
        Path saved = jbox.root.resolve("interop.tar");
        assertEquals(0, jbox.run("save", "-o", saved.toString(), "course/interop:1").code());
        Process p = new ProcessBuilder("skopeo", "inspect", "docker-archive:" + saved).redirectErrorStream(true).start();
        JsonNode seen = Json.MAPPER.readTree(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        JsonNode ours = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .RootFS.Layers}}", "course/interop:1").out());
        assertEquals(ours, seen.path("Layers"), "skopeo reads every layer jbox wrote, with the same digests");
        try (Podman podman = new Podman()) {
            assertEquals(0, podman.run("load", "-i", saved.toString()).code());
            var r = podman.run("run", "--rm", "--network", "none", "localhost/course/interop:1");
            assertEquals(0, r.code(), r.out());
            assertEquals("hello from RUN, MODE=test mode\n", r.out(), "podman runs the image jbox built, as jbox does");
        }
    }

    @Test
    void aBuiltImageIsPushedAndSkopeoSeesTheSameDigests() throws Exception {
        Requires.that(LocalRegistry.installed() && LocalRegistry.installed("skopeo"), "./run-tests installs docker-registry and skopeo");
        Path c = copyContext("ship");
        try (LocalRegistry registry = new LocalRegistry(jbox.root.resolve("registry"), "ship", "")) {
            String name = registry.host + "/course/shipped:1";
            assertEquals(0, build("-t", name, c.toString()).code());
            var push = jbox.run("push", name);
            assertEquals(0, push.code(), push.all());
            Process p = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "docker://" + name).redirectErrorStream(true).start();
            JsonNode seen = Json.MAPPER.readTree(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor());
            assertEquals(jbox.run("inspect", "-f", "{{.Manifest.Digest}}", name).out().trim(), seen.path("Digest").asText(), "the manifest digest");
            assertTrue(seen.path("Env").toString().contains("MODE=test mode"), "the config as built: " + seen);
            jbox.run("rmi", name);
            var pull = jbox.run("pull", name);
            assertEquals(0, pull.code(), pull.all());
            assertEquals("hello from RUN, MODE=test mode\n", jbox.run("run", "--rm", name).out(), "build, ship and run");
        }
    }

    @Test
    void theDockerCliBuildsThroughJboxsDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        Path c = copyContext("docker-cli");
        try (JboxDaemon daemon = new JboxDaemon(jbox)) {
            var b = daemon.docker("build", "-t", "course/by-docker:1", c.toString());
            assertEquals(0, b.code(), b.all());
            assertTrue(b.out().contains("Step 18/18 : CMD [\"/app/run.txt\"]") && b.out().contains("Successfully tagged course/by-docker:1"), b.out());
            assertEquals("hello from RUN, MODE=test mode\n", daemon.docker("run", "--rm", "course/by-docker:1").out());
            var failing = daemon.docker("build", jbox.root.resolve("failing-docker").toString());
            assertNotEquals(0, failing.code(), "a context that is not there");
        }
    }

    @Test
    void aSymlinkInTheContextCannotReadTheHostsFiles() throws Exception {
        for (String instruction : List.of("COPY", "ADD")) {
            Path c = jbox.root.resolve("escape-" + instruction);
            Files.createDirectories(c.resolve("sub"));
            Files.writeString(c.resolve("sub/inside.txt"), "inside\n");
            Files.createSymbolicLink(c.resolve("dl"), Path.of("/etc"));
            Files.createSymbolicLink(c.resolve("up"), Path.of("../../../../../../../../etc"));
            Files.createSymbolicLink(c.resolve("inner"), Path.of("sub"));
            for (String via : List.of("dl", "up")) {
                Files.writeString(c.resolve("Dockerfile"), "FROM busybox\n" + instruction + " " + via + "/shadow /s\n");
                var b = build("-t", "escape:" + via, c.toString());
                assertEquals(1, b.code(), b.all());
                assertTrue(b.err().contains("forbidden path outside the build context: " + via + "/shadow: " + via + " is a symbolic link to "), b.all());
                assertFalse(b.all().contains("root:"), "nothing of the host's shadow file is shown: " + b.all());
                assertEquals(1, jbox.run("image", "inspect", "escape:" + via).code(), "no image was made");
            }
            // a link that stays inside the context is followed, as docker follows it
            Files.writeString(c.resolve("Dockerfile"), "FROM busybox\n" + instruction + " inner/inside.txt /i\nCMD [\"cat\", \"/i\"]\n");
            var ok = build("-t", "inside:1", c.toString());
            assertEquals(0, ok.code(), ok.all());
            assertEquals("inside\n", jbox.run("run", "--rm", "inside:1").out());
            jbox.run("rmi", "inside:1");
        }
    }

    @Test
    void aHandMadeContextTarCannotReadTheHostsFilesThroughTheApi() throws Exception {
        try (JboxDaemon daemon = new JboxDaemon(jbox)) {
            for (String dockerfile : List.of("FROM busybox\nCOPY dl/shadow /s\n", "FROM busybox\nADD dl/shadow /s\n", "FROM busybox\n")) {
                java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
                try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
                    var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("dl", org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("/etc");
                    out.putArchiveEntry(link);
                    out.closeArchiveEntry();
                    // the Dockerfile itself a link to a host file: its first line would show in a parse error
                    boolean viaLink = !dockerfile.contains("COPY") && !dockerfile.contains("ADD");
                    var df = viaLink ? new org.apache.commons.compress.archivers.tar.TarArchiveEntry("Dockerfile", org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_SYMLINK)
                            : new org.apache.commons.compress.archivers.tar.TarArchiveEntry("Dockerfile");
                    byte[] text = dockerfile.getBytes();
                    if (viaLink) df.setLinkName("/etc/shadow"); else df.setSize(text.length);
                    out.putArchiveEntry(df);
                    if (!viaLink) out.write(text);
                    out.closeArchiveEntry();
                }
                byte[] body = tar.toByteArray();
                byte[] head = ("POST /v1.41/build?t=escape:api HTTP/1.1\r\nContent-Type: application/x-tar\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes();
                byte[] request = java.util.Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                JboxDaemon.Reply r = daemon.raw(request);
                assertTrue(r.body().contains("outside the build context"), r.body());
                assertFalse(r.body().contains("root:"), "nothing of the host's shadow file is sent back: " + r.body());
                assertEquals(1, jbox.run("image", "inspect", "escape:api").code(), "no image was made");
            }
        }
    }

    private Path copyContext(String name) throws Exception {
        Path c = jbox.root.resolve(name);
        sh("cp", "-a", ctx.toString(), c.toString());
        return c;
    }
}
