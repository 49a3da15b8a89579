package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.image.Digest;
import jbox.io.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pull and push against real registries (Debian's docker-registry, the CNCF distribution
 * registry) on 127.0.0.1: one open, one with htpasswd basic auth; skopeo checks what jbox pushed
 * and pushes what jbox pulls.
 */
class RegistryTest extends RealEngineTest {
    private LocalRegistry open;
    private LocalRegistry basic;
    private LocalRegistry token;
    private TokenService tokens;
    private String tokenHost;
    private String openHost;
    private String basicHost;
    private Path dir;

    @BeforeAll
    void startRegistries() throws Exception {
        Requires.that(LocalRegistry.installed() && LocalRegistry.installed("skopeo") && LocalRegistry.installed("htpasswd"), "./run-tests installs docker-registry, skopeo and apache2-utils");
        dir = jbox.root.resolve("registries");
        Files.createDirectories(dir);
        open = new LocalRegistry(dir, "open", "");
        openHost = open.host;
        run(List.of("htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), "teacher", "s3cret"));
        basic = new LocalRegistry(dir, "basic", "auth:\n  htpasswd:\n    realm: jbox-test\n    path: " + dir.resolve("htpasswd") + "\n");
        basicHost = basic.host;
        jbox.env.put("JBOX_CONFIG", dir.resolve("login").toString());

        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("token.key").toString(),
                "-out", dir.resolve("token.crt").toString(), "-days", "2", "-subj", "/CN=jbox-test-token"));
        tokens = new TokenService(dir.resolve("token.key"), dir.resolve("token.crt"), "student", "t0ken");
        token = new LocalRegistry(dir, "token", "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenService.SERVICE
                + "\n    issuer: " + TokenService.ISSUER + "\n    rootcertbundle: " + dir.resolve("token.crt") + "\n");
        tokenHost = token.host;
    }

    @AfterAll
    void stopRegistries() throws Exception {
        if (tokens != null) tokens.close();
        for (LocalRegistry r : new LocalRegistry[]{open, basic, token}) if (r != null) r.close();
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    private String manifestDigest(String image) throws Exception {
        return jbox.run("inspect", "-f", "{{.Manifest.Digest}}", image).out().trim();
    }

    @Test
    void pushedByJboxPulledBySkopeoAndBack() throws Exception {
        String name = openHost + "/team/busybox:1.0";
        assertEquals(0, jbox.run("tag", "busybox", name).code());
        long t0 = System.nanoTime();
        var push = jbox.run("push", name);
        long jboxPush = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, push.code(), push.all());
        assertTrue(push.out().contains(": Pushed"), push.out());
        String digest = manifestDigest(name);
        assertTrue(push.out().contains("1.0: digest: " + digest), push.out());

        JsonNode seen = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + name)));
        assertEquals(digest, seen.path("Digest").asText(), "skopeo sees the manifest jbox pushed, byte for byte");
        JsonNode raw = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + name)));
        JsonNode local = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .Manifest.Layers}}", name).out());
        assertEquals(local.get(0).path("Digest").asText(), raw.path("layers").get(0).path("digest").asText(), "same layer digest");

        var again = jbox.run("push", name);
        assertTrue(again.out().contains("Layer already exists"), "a second push sends nothing again: " + again.out());

        // Another repository of the same registry: its layers are mounted there, not sent again.
        String other = openHost + "/other/busybox:1.0";
        jbox.run("tag", "busybox", other);
        var mounted = jbox.run("push", other);
        assertEquals(0, mounted.code(), mounted.all());
        assertTrue(mounted.out().contains("Mounted from team/busybox"), mounted.out());
        jbox.run("rmi", other);

        // By digest: the exact manifest, whatever the tag points at later.
        String byDigest = openHost + "/team/busybox@" + digest;
        var pinned = jbox.run("pull", byDigest);
        assertEquals(0, pinned.code(), pinned.all());
        assertTrue(pinned.out().contains("Digest: " + digest), pinned.out());

        // Back: remove it here, pull it, run it.
        assertEquals(0, jbox.run("rmi", name).code());
        t0 = System.nanoTime();
        var pull = jbox.run("pull", name);
        long jboxPull = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, pull.code(), pull.all());
        assertTrue(pull.out().contains("Digest: " + digest), pull.out());
        assertEquals("from the registry\n", jbox.run("run", "--rm", name, "echo", "from the registry").out());

        t0 = System.nanoTime();
        Path oci = dir.resolve("skopeo-oci");
        run(List.of("skopeo", "copy", "--src-tls-verify=false", "docker://" + name, "oci:" + oci + ":bb"));
        long skopeoPull = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        run(List.of("skopeo", "copy", "--dest-tls-verify=false", "oci:" + oci + ":bb", "docker://" + openHost + "/skopeo/busybox:2"));
        long skopeoPush = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("busybox, local registry, same run: pull jbox %d ms (CLI included) vs skopeo %d ms; push jbox %d ms vs skopeo %d ms%n",
                jboxPull, skopeoPull, jboxPush, skopeoPush);
    }

    @Test
    void onATerminalEachLayerHasOneLineRedrawnInPlace() throws Exception {
        Requires.that(Tmux.available(), "tmux is installed by ./run-tests");
        String name = openHost + "/team/terminal:1";
        jbox.run("tag", "busybox", name);
        assertEquals(0, jbox.run("push", name).code());
        jbox.run("rmi", name);
        String layer = Json.MAPPER.readTree(jbox.run("inspect", "-f", "{{json .Manifest.Layers}}", "busybox").out()).get(0).path("Digest").asText().substring(7, 19);
        jbox.run("rmi", "busybox"); // so the layer is downloaded, not found
        String cmd = "JBOX_ROOT=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + " pull " + name + "; echo PULLED=$?; sleep 60";
        try (Tmux t = Tmux.open("jbox-pull", 120, 30, cmd)) {
            t.waitFor("PULLED=0");
            String screen = t.screen();
            assertEquals(1, screen.lines().filter(l -> l.startsWith(layer + ":")).count(), "one line for the layer, redrawn: " + screen);
            assertTrue(screen.contains(layer + ": Pull complete"), screen);
            assertEquals(1, screen.lines().filter(l -> l.matches("[0-9a-f]{12}: .*")).count(), "layers only, no line for the config: " + screen);
        } finally {
            assertEquals(0, jbox.run("pull", "busybox").code(), "busybox back for the other tests");
        }
        jbox.run("rmi", name);
        var again = jbox.run("pull", name);
        assertTrue(again.out().contains(layer + ": Already exists") && !again.out().contains("Pull complete"),
                "a layer already here is not fetched or unpacked again: " + again.out());
        jbox.run("rmi", name);
    }

    @Test
    void theDockerCliPullsAndPushesThroughJboxsDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        String name = openHost + "/team/via-daemon:1";
        jbox.run("tag", "busybox", name);
        try (JboxDaemon daemon = new JboxDaemon(jbox)) {
            var push = daemon.docker("push", name);
            assertEquals(0, push.code(), push.all());
            assertTrue(push.out().contains("1: digest: sha256:"), push.out());
            jbox.run("rmi", name);
            int server = daemon.pids()[0];
            long threadsBefore = -1;
            for (int i = 0; i < 6; i++) {
                var pull = daemon.docker("pull", name);
                assertEquals(0, pull.code(), pull.all());
                assertTrue(pull.out().contains("Status: Downloaded newer image for " + name), pull.out());
                if (i == 0) threadsBefore = JboxDaemon.threads(server);
                assertEquals(0, daemon.docker("rmi", name).code());
            }
            assertTrue(JboxDaemon.threads(server) <= threadsBefore + 2,
                    "pulls leave no threads behind in the daemon: " + threadsBefore + " after the first, " + JboxDaemon.threads(server) + " after six");
        }
    }

    @Test
    void anImagePushedBySkopeoInDockerFormatRunsInJbox() throws Exception {
        String name = openHost + "/team/bb-v2s2:1";
        jbox.run("tag", "busybox", openHost + "/team/src:1");
        assertEquals(0, jbox.run("push", openHost + "/team/src:1").code());
        run(List.of("skopeo", "copy", "--format", "v2s2", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://" + openHost + "/team/src:1", "docker://" + name));
        JsonNode raw = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + name)));
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", raw.path("mediaType").asText(), "skopeo wrote Docker's format");
        var pull = jbox.run("pull", name);
        assertEquals(0, pull.code(), pull.all());
        assertEquals("docker format\n", jbox.run("run", "--rm", name, "echo", "docker format").out());
        jbox.run("rmi", name);
        jbox.run("rmi", openHost + "/team/src:1");
    }

    @Test
    void aRegistryWithBasicAuthNeedsALogin() throws Exception {
        String name = basicHost + "/class/busybox:1";
        jbox.run("tag", "busybox", name);
        var refused = jbox.run("push", name);
        assertEquals(125, refused.code());
        assertTrue(refused.err().contains("needs a login") && refused.err().contains("jbox login " + basicHost), refused.err());

        var wrong = jbox.run("login", "-u", "teacher", "-p", "wrong", basicHost);
        assertEquals(125, wrong.code());
        assertTrue(wrong.err().contains("unauthorized") && wrong.err().contains("teacher"), wrong.err());
        Path saved = dir.resolve("login/config.json");
        assertFalse(Files.exists(saved) && Files.readString(saved).contains(basicHost), "a refused login is not saved");

        var ok = jbox.run("login", "-u", "teacher", "-p", "s3cret", basicHost);
        assertEquals(0, ok.code(), ok.all());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("login/config.json"))));
        var push = jbox.run("push", name);
        assertEquals(0, push.code(), push.all());
        jbox.run("rmi", name);
        assertEquals(0, jbox.run("pull", name).code());
        assertEquals(0, jbox.run("logout", basicHost).code());
        jbox.run("rmi", name);
        assertEquals(125, jbox.run("pull", name).code(), "logged out: refused again");
    }

    @Test
    void aRegistryWithTokenAuthIsAnsweredWithBearerTokens() throws Exception {
        String name = tokenHost + "/class/busybox:1";
        jbox.run("tag", "busybox", name);
        var anonymous = jbox.run("push", name);
        assertEquals(125, anonymous.code());
        assertTrue(anonymous.err().contains("unauthorized"), anonymous.err());
        assertEquals(125, jbox.run("login", "-u", "student", "-p", "wrong", tokenHost).code(), "the token service refuses a wrong password");
        var login = jbox.run("login", "-u", "student", "-p", "t0ken", tokenHost);
        assertEquals(0, login.code(), login.all() + Files.readString(dir.resolve("token.log")));
        var push = jbox.run("push", name);
        assertEquals(0, push.code(), push.all());
        jbox.run("rmi", name);
        var pull = jbox.run("pull", name);
        assertEquals(0, pull.code(), pull.all());
        jbox.run("rmi", name);
        jbox.run("logout", tokenHost);

        // One client: a token is used again for its scope while it lasts, and replaced once it has run out.
        tokens.lifetimeSeconds = 6;
        var client = new jbox.registry.RegistryClient(tokenHost, new jbox.registry.RegistryAuth("student", "t0ken"));
        int before = tokens.issued.get();
        client.manifest("class/busybox", "1");
        client.manifest("class/busybox", "1");
        assertEquals(before + 1, tokens.issued.get(), "one token for two requests of the same scope");
        Thread.sleep(6500); // the condition is the token's lifetime passing: 6 s, renewed 5 s before (at least 5 s)
        client.manifest("class/busybox", "1");
        assertEquals(before + 2, tokens.issued.get(), "a new token after the first expired");
        tokens.lifetimeSeconds = 300;
    }

    @Test
    void whatARegistryDoesNotHaveIsAClearErrorAndLeavesNothing() throws Exception {
        List<String> before = blobs();
        var missing = jbox.run("pull", openHost + "/team/nothing:here");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("manifest unknown"), missing.err());
        var down = jbox.run("pull", "127.0.0.1:1/team/busybox");
        assertEquals(125, down.code());
        assertTrue(down.err().contains("cannot reach the registry 127.0.0.1:1: connection refused"), down.err());
        assertEquals(before, blobs(), "no blob was added");
    }

    @Test
    void aCorruptedBlobKeepsNothingAndADroppedDownloadResumes() throws Exception {
        String pushed = openHost + "/team/hello:1";
        assertEquals(0, jbox.run("pull", "hello").code());
        jbox.run("tag", "hello", pushed);
        assertEquals(0, jbox.run("push", pushed).code());
        jbox.run("rmi", pushed);
        jbox.run("rmi", "hello"); // its blobs are gone from the store now, so the pulls below download them
        List<String> before = blobs();
        try (BreakingProxy proxy = new BreakingProxy(openHost)) {
            String via = proxy.host() + "/team/hello:1";
            proxy.mode = BreakingProxy.Mode.FLIP;
            var corrupted = jbox.run("pull", via);
            assertEquals(125, corrupted.code());
            assertTrue(corrupted.err().contains("has the wrong content") && corrupted.err().contains("nothing was stored"), corrupted.err());
            assertEquals(before, blobs(), "no blob of the corrupted download was kept");
            assertFalse(jbox.run("images").out().contains("team/hello"), "no image named");

            proxy.mode = BreakingProxy.Mode.CUT_ONCE;
            var resumed = jbox.run("pull", via);
            assertEquals(0, resumed.code(), resumed.all());
            assertTrue(proxy.rangeRequests.get() > 0, "the cut downloads were resumed with Range requests");
            assertTrue(jbox.run("run", "--rm", via).out().startsWith("Hello from a tiny jbox image!"), "the resumed image runs");
            jbox.run("rmi", via);
        }
    }

    @Test
    void bigBlobsArePushedInChunks() throws Exception {
        try (BreakingProxy proxy = new BreakingProxy(openHost)) {
            String name = proxy.host() + "/team/chunked:1";
            jbox.run("tag", "busybox", name);
            jbox.env.put("JBOX_UPLOAD_CHUNK", "200000"); // the 1 MB layer goes up in about six PATCHes
            try {
                var push = jbox.run("push", name);
                assertEquals(0, push.code(), push.all());
            } finally {
                jbox.env.remove("JBOX_UPLOAD_CHUNK");
            }
            assertTrue(proxy.patches.get() >= 5, "uploaded in chunks: " + proxy.patches.get() + " PATCH requests");
            JsonNode seen = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + openHost + "/team/chunked:1")));
            assertEquals(manifestDigest(name), seen.path("Digest").asText(), "the registry has the image whole");
            jbox.run("rmi", name);
        }
    }

    @Test
    void aFullDiskIsAClearErrorAndNoBlobIsHalfWritten() throws Exception {
        String name = openHost + "/team/full:1";
        jbox.run("tag", "busybox", name);
        assertEquals(0, jbox.run("push", name).code());
        Path small = jbox.root.resolve("small");
        Files.createDirectories(small);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=2500k", "tmpfs", small.toString())); // room for the layer, not for it unpacked too
        try {
            Jbox tiny = new Jbox(small.resolve("root"));
            var r = tiny.run("pull", name);
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().contains("the disk is full") && r.err().contains("JBOX_ROOT"), r.err());
            Path blobs = small.resolve("root/images/blobs/sha256");
            try (var s = Files.list(blobs)) {
                for (Path b : s.toList()) {
                    try (var in = Files.newInputStream(b)) {
                        assertEquals(b.getFileName().toString(), Digest.of(in).hex(), "every blob kept is whole: " + b);
                    }
                }
            }
            try (var s = Files.walk(small.resolve("root"))) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("unpack-") || p.getFileName().toString().contains(".partial")),
                        "no temporary files are left");
            }
            assertFalse(tiny.run("images").out().contains("team/full"), "the image is not named: it is not whole");
        } finally {
            run(List.of("umount", small.toString()));
        }
        jbox.run("rmi", name);
    }

    private List<String> blobs() throws IOException {
        List<String> out = new ArrayList<>();
        Path b = jbox.root.resolve("images/blobs/sha256");
        if (!Files.isDirectory(b)) return out;
        try (var s = Files.list(b)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        out.sort(null);
        return out;
    }
}
