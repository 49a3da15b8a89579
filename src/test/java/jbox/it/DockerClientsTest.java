package jbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The clients people script with, against a real jbox daemon on a private socket: Debian's
 * docker-compose (v1, on docker-py) bringing a three-service project up and down, the docker CLI's
 * cp, events, system df, stats and list filters, with jbox's own CLI beside it.
 */
class DockerClientsTest extends RealEngineTest {
    private JboxDaemon daemon;

    @BeforeAll
    void startDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        Requires.that(Jbox.exec(30, "docker-compose", "version").code() == 0, "docker-compose is installed by ./run-tests");
        daemon = new JboxDaemon(jbox);
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon != null) daemon.close();
    }

    private Jbox.Result compose(Path project, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "--no-ansi", "-p", name));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile());
        pb.environment().put("DOCKER_HOST", "unix://" + daemon.socket);
        return Jbox.capture(pb.start(), 180, String.join(" ", cmd));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aComposeProjectComesUpAnswersAndGoesAway() throws Exception {
        String name = "jboxit" + Long.toHexString(System.nanoTime() & 0xffffff);
        int port = freePort();
        Path project = Files.createDirectories(jbox.root.resolve("compose-project"));
        Files.writeString(project.resolve("docker-compose.yml"), """
                version: "3.8"
                services:
                  web:
                    image: busybox
                    command: sh -c 'echo hello-from-web > /data/index.html && httpd -f -p 80 -h /data'
                    volumes:
                      - shared:/data
                    ports:
                      - "127.0.0.1:%d:80"
                    healthcheck:
                      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost/"]
                      interval: 1s
                      timeout: 2s
                      retries: 30
                  client:
                    image: busybox
                    command: sh -c 'while true; do wget -q -O /out/got.txt http://web/ && echo fetched; sleep 1; done'
                    depends_on:
                      - web
                    volumes:
                      - shared:/out
                  reader:
                    image: busybox
                    command: sleep 1000
                    volumes:
                      - shared:/data:ro
                volumes:
                  shared:
                """.formatted(port));
        String since = Long.toString(Instant.now().getEpochSecond() - 1);

        var up = compose(project, name, "up", "-d");
        assertEquals(0, up.code(), up.all());
        String label = "label=com.docker.compose.project=" + name;
        assertEquals(3, daemon.docker("ps", "-q", "--filter", label).out().lines().count(), "three services run, found by compose's label");

        waitFor(() -> daemon.docker("inspect", "-f", "{{.State.Health.Status}}", name + "_web_1").out().trim().equals("healthy"), "web to be healthy");
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("hello-from-web\n", page.body(), "the published port reaches web");
        waitFor(() -> compose(project, name, "exec", "-T", "reader", "cat", "/data/got.txt").out().equals("hello-from-web\n"),
                "client to fetch http://web/ by the service's name into the shared volume");
        var logs = compose(project, name, "logs", "--no-color", "client");
        assertTrue(logs.out().contains("fetched"), logs.all());
        // logs -f follows the project's containers through the events stream, filtered by compose's labels
        ProcessBuilder follow = new ProcessBuilder("docker-compose", "--no-ansi", "-p", name, "logs", "-f", "--no-color", "--tail", "0", "client")
                .directory(project.toFile()).redirectErrorStream(true);
        follow.environment().put("DOCKER_HOST", "unix://" + daemon.socket);
        Process following = follow.start();
        StringBuilder followed = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(following.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) synchronized (followed) { followed.append(line).append('\n'); }
            } catch (java.io.IOException e) {
                // ended by destroy()
            }
        });
        reader.start();
        try {
            waitFor(() -> { synchronized (followed) { return followed.toString().contains("| fetched"); } }, "logs -f to show a new line of client");
        } finally {
            following.destroy();
            assertTrue(following.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            reader.join();
        }
        var ps = compose(project, name, "ps");
        assertTrue(ps.out().contains(name + "_web_1") && ps.out().contains("(healthy)") && ps.out().contains("127.0.0.1:" + port + "->80/tcp"), ps.all());

        var down = compose(project, name, "down", "-v");
        assertEquals(0, down.code(), down.all());
        assertEquals("", daemon.docker("ps", "-aq", "--filter", label).out(), "no container of the project is left");
        assertFalse(daemon.docker("volume", "ls", "-q").out().lines().anyMatch((name + "_shared")::equals), "down -v removed the volume");
        assertFalse(daemon.docker("network", "ls", "--format", "{{.Name}}").out().lines().anyMatch((name + "_default")::equals), "the network is gone");

        var events = daemon.docker("events", "--since", since, "--until", Long.toString(Instant.now().getEpochSecond() + 1),
                "--filter", label, "--filter", "event=start");
        assertEquals(3, events.out().lines().count(), "one start event per service, filtered by label: " + events.all());
    }

    @Test
    void theDockerCliSeesEventsDiskUsageStatsAndFilters() throws Exception {
        String since = Long.toString(Instant.now().getEpochSecond() - 1);
        // busybox sh ignores SIGTERM as PID 1; it traps USR1, so a stop that sends SIGTERM would take 10 s and exit 137
        String id = daemon.docker("run", "-d", "--name", "labelled", "--label", "tier=web", "--stop-signal", "USR1", "busybox",
                "sh", "-c", "trap 'echo got-usr1; exit 0' USR1; while true; do sleep 0.1; done").out().trim();
        assertEquals(64, id.length(), id);
        daemon.docker("create", "--name", "other", "busybox", "true");

        assertEquals(id.substring(0, 12) + "\n", daemon.docker("ps", "-q", "--filter", "label=tier=web").out());
        assertEquals(id.substring(0, 12) + "\n", daemon.client.run("ps", "-q", "--filter", "label=tier=web").out(), "jbox's CLI filters the same way");
        assertEquals("other\n", daemon.docker("ps", "-a", "--filter", "status=created", "--format", "{{.Names}}").out());
        var bad = daemon.docker("ps", "--filter", "colour=blue");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("invalid filter 'colour'"), bad.all());
        assertEquals("web", daemon.docker("inspect", "-f", "{{index .Config.Labels \"tier\"}}", "labelled").out().trim());

        var stats = daemon.docker("stats", "--no-stream", "labelled");
        assertEquals(0, stats.code(), stats.all());
        String row = stats.out().lines().skip(1).findFirst().orElse("");
        assertTrue(row.startsWith(id.substring(0, 12)) && row.contains("labelled") && !row.contains("--"), stats.all());

        var df = daemon.docker("system", "df");
        assertEquals(0, df.code(), df.all());
        assertTrue(df.out().lines().anyMatch(l -> l.matches("Images\\s+1\\s+1\\s+.*")), df.out());
        assertTrue(df.out().lines().anyMatch(l -> l.matches("Containers\\s+2\\s+1\\s+.*")), df.out());
        var jboxDf = daemon.client.run("system", "df");
        assertTrue(jboxDf.out().lines().anyMatch(l -> l.matches("Containers\\s+2\\s+1\\s+.*")), jboxDf.all());
        assertTrue(daemon.client.run("images", "busybox").out().contains("busybox"));
        assertEquals(1, daemon.client.run("images", "nosuchrepo").out().lines().count(), "only the header: no image of that repository");

        // logs --since and --until take the times docker logs -t shows
        daemon.docker("run", "--name", "twolines", "busybox", "sh", "-c", "echo first; sleep 1; echo second");
        List<String> stamped = daemon.docker("logs", "-t", "twolines").out().lines().toList();
        assertEquals(2, stamped.size(), stamped.toString());
        String firstAt = stamped.get(0).split(" ")[0], secondAt = stamped.get(1).split(" ")[0];
        assertEquals("second\n", daemon.docker("logs", "--since", secondAt, "twolines").out());
        assertEquals("first\n", daemon.docker("logs", "--until", firstAt, "twolines").out());
        assertEquals("first\n", daemon.client.run("logs", "--until", firstAt, "twolines").out());
        daemon.docker("rm", "twolines");

        var stop = daemon.docker("stop", "labelled");
        assertEquals(0, stop.code(), stop.all());
        assertEquals("0", daemon.docker("inspect", "-f", "{{.State.ExitCode}}", "labelled").out().trim(), "stopped by its own stop signal");
        assertTrue(daemon.docker("logs", "labelled").out().contains("got-usr1"));

        String until = Long.toString(Instant.now().getEpochSecond() + 1);
        var events = daemon.docker("events", "--since", since, "--until", until, "--filter", "container=labelled");
        List<String> actions = events.out().lines().map(l -> l.split(" ")[2]).toList();
        assertEquals(List.of("create", "start", "kill", "die", "stop"), actions, events.all());
        var jboxEvents = daemon.client.run("events", "--since", since, "--until", until, "--filter", "container=labelled", "--filter", "event=die");
        assertTrue(jboxEvents.out().matches("\\S+ container die " + id + " \\(exitCode=0, image=busybox, name=labelled, tier=web\\)\n"), jboxEvents.all());

        daemon.docker("rm", "-f", "labelled", "other");
    }

    @Test
    void aStoppedContainerMovesToAnotherNetworkWithAnAlias() throws Exception {
        assertEquals(0, daemon.docker("network", "create", "movenet").code());
        String id = daemon.docker("create", "--name", "mover", "busybox", "sleep", "1000").out().trim();
        var second = daemon.docker("network", "connect", "movenet", "mover");
        assertNotEquals(0, second.code());
        assertTrue(second.err().contains("joins one network"), second.all());
        assertEquals(0, daemon.docker("network", "disconnect", "bridge", "mover").code());
        var connect = daemon.docker("network", "connect", "--alias", "db", "movenet", "mover");
        assertEquals(0, connect.code(), connect.all());
        assertEquals("[" + id.substring(0, 12) + " db]\n",
                daemon.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.Aliases}}{{end}}", "mover").out());
        assertEquals(0, daemon.docker("start", "mover").code());
        var ping = daemon.docker("run", "--rm", "--network", "movenet", "busybox", "ping", "-c", "1", "-W", "5", "db");
        assertEquals(0, ping.code(), "a peer finds it by its alias: " + ping.all());
        var running = daemon.docker("network", "disconnect", "movenet", "mover");
        assertNotEquals(0, running.code());
        assertTrue(running.err().contains("while it runs"), running.all());
        daemon.docker("rm", "-f", "mover");
        assertEquals(0, daemon.docker("network", "rm", "movenet").code());
    }

    @Test
    void cpCopiesBothWaysAndNeverThroughTheContainersLinks() throws Exception {
        Path here = Files.createDirectories(jbox.root.resolve("cp-test"));
        // a hostile container: links to the host's / and /etc, as a process inside could make them
        String id = daemon.docker("run", "-d", "--name", "cpbox", "-v", "cpvol:/vol", "busybox", "sh", "-c",
                "mkdir -p /srv/d && echo inside > /srv/d/f && ln -s / /srv/root && ln -s /etc /srv/etc && touch /ready && sleep 1000").out().trim();
        waitFor(() -> daemon.docker("exec", "cpbox", "test", "-e", "/ready").code() == 0, "the container to make its files");

        var out = daemon.docker("cp", "cpbox:/srv/d", here.resolve("d").toString());
        assertEquals(0, out.code(), out.all());
        assertEquals("inside\n", Files.readString(here.resolve("d/f")));
        Files.writeString(here.resolve("h.txt"), "from the host\n");
        var in = daemon.docker("cp", here.resolve("h.txt").toString(), "cpbox:/vol/");
        assertEquals(0, in.code(), in.all());
        assertEquals("from the host\n", daemon.docker("run", "--rm", "-v", "cpvol:/v", "busybox", "cat", "/v/h.txt").out(), "a copy into a volume");
        var viaJbox = daemon.client.run("cp", "cpbox:/srv/d/f", here.resolve("f-by-jbox").toString());
        assertEquals(0, viaJbox.code(), viaJbox.all());
        assertEquals("inside\n", Files.readString(here.resolve("f-by-jbox")));

        // through the container's links: its own files, never the host's
        String hostname = daemon.docker("inspect", "-f", "{{.Config.Hostname}}", "cpbox").out().trim();
        var throughRoot = daemon.client.run("cp", "cpbox:/srv/root/etc/hostname", here.resolve("hn").toString());
        assertEquals(0, throughRoot.code(), throughRoot.all());
        assertEquals(hostname + "\n", Files.readString(here.resolve("hn")), "/srv/root leads to the container's /, not the host's");
        String marker = "jbox-cp-" + Long.toHexString(System.nanoTime());
        Files.writeString(here.resolve(marker), "x");
        var intoEtc = daemon.docker("cp", here.resolve(marker).toString(), "cpbox:/srv/etc/");
        assertEquals(0, intoEtc.code(), intoEtc.all());
        assertFalse(Files.exists(Path.of("/etc", marker)), "nothing was written to the host's /etc");
        assertEquals(0, daemon.docker("exec", "cpbox", "test", "-f", "/etc/" + marker).code(), "it went to the container's /etc");

        // an archive that makes a link to the host's /tmp, then writes through it: refused, nothing written
        Path bad = here.resolve("bad.tar");
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(bad))) {
            var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("evil", org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(here.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            var file = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("evil/pwned");
            file.setSize(1);
            tar.putArchiveEntry(file);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        ProcessBuilder pb = new ProcessBuilder("docker", "-H", "unix://" + daemon.socket, "cp", "-", "cpbox:/tmp").redirectInput(bad.toFile());
        var refused = Jbox.capture(pb.start(), 60, "docker cp - cpbox:/tmp");
        assertNotEquals(0, refused.code(), refused.all());
        assertTrue(refused.err().contains("symbolic link"), refused.all());
        assertFalse(Files.exists(here.resolve("pwned")), "nothing was written through the archive's link");

        // a stopped container's files, and a read-only root refused with the reason
        daemon.docker("stop", "-t", "0", "cpbox");
        var stopped = daemon.client.run("cp", "cpbox:/srv/d/f", here.resolve("stopped-f").toString());
        assertEquals(0, stopped.code(), stopped.all());
        assertEquals("inside\n", Files.readString(here.resolve("stopped-f")), "a stopped container's files, in the view a start makes");
        assertFalse(Files.exists(jbox.root.resolve("containers").resolve(id).resolve("filesystem-view.pid")), "the view's process ended");
        daemon.docker("create", "--name", "robox", "--read-only", "busybox", "true");
        var ro = daemon.docker("cp", here.resolve("h.txt").toString(), "robox:/tmp/");
        assertNotEquals(0, ro.code());
        assertTrue(ro.err().contains("read-only"), ro.all());
        assertFalse(daemon.docker("cp", "cpbox:/nope", "-").err().isEmpty());

        daemon.docker("rm", "-f", "cpbox", "robox");
        daemon.docker("volume", "rm", "cpvol");
        assertFalse(Files.exists(jbox.root.resolve("containers").resolve(id)), "the container is gone");
    }

    @Test
    void dockerPyScriptsRunAgainstJbox() throws Exception {
        Requires.that(Jbox.exec(30, "python3", "-c", "import docker").code() == 0, "python3-docker comes with docker-compose, installed by ./run-tests");
        Path script = jbox.root.resolve("docker-py-check.py");
        Files.writeString(script, """
                import docker
                c = docker.from_env()
                assert c.ping()
                pulled = list(c.api.pull("busybox", tag="latest", stream=True, decode=True))
                assert any("Digest" in e.get("status", "") for e in pulled), pulled
                ctr = c.containers.create("busybox", ["sh", "-c", "echo out; echo err >&2; sleep 30"], labels={"made-by": "docker-py"}, name="pybox")
                ctr.start()
                ctr.reload()
                assert ctr.status == "running", ctr.status
                assert ctr.labels["made-by"] == "docker-py"
                code, out = ctr.exec_run(["sh", "-c", "echo from-exec; exit 3"])
                assert (code, out) == (3, b"from-exec\\n"), (code, out)
                ctr.kill(signal="SIGKILL")
                assert ctr.wait()["StatusCode"] == 137
                assert ctr.logs(stdout=True, stderr=False) == b"out\\n"
                assert ctr.logs(stdout=False, stderr=True) == b"err\\n"
                assert [x.name for x in c.containers.list(all=True, filters={"label": "made-by=docker-py"})] == ["pybox"]
                ctr.remove()
                assert c.containers.list(all=True, filters={"name": "pybox"}) == []
                print("ok")
                """);
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString());
        pb.environment().put("DOCKER_HOST", "unix://" + daemon.socket);
        var r = Jbox.capture(pb.start(), 120, "python3 docker-py-check.py");
        assertEquals(0, r.code(), r.all());
        assertEquals("ok\n", r.out());
    }

    @Test
    void initTopPruneAndInspectTypeAsInDocker() throws Exception {
        var init = daemon.docker("run", "--rm", "--init", "busybox", "ps", "-o", "pid,comm");
        assertEquals(0, init.code(), init.all());
        assertTrue(init.out().lines().anyMatch(l -> l.trim().equals("1 docker-init")), "tini is PID 1: " + init.out());
        assertEquals("1 sh\n", daemon.client.run("run", "--rm", "busybox", "sh", "-c", "ps -o pid,comm | grep ' 1 '").out().replaceAll("\\s+", " ").trim() + "\n",
                "without --init the command is PID 1");

        daemon.docker("run", "-d", "--name", "topbox", "busybox", "sleep", "1000");
        var top = daemon.docker("top", "topbox", "-o", "pid,comm");
        assertEquals(0, top.code(), top.all());
        assertTrue(top.out().startsWith("PID") && top.out().contains("sleep"), top.out());
        var jboxTop = daemon.client.run("top", "topbox", "aux");
        assertTrue(jboxTop.out().startsWith("USER") && jboxTop.out().contains("sleep 1000"), jboxTop.all());
        var noPid = daemon.client.run("top", "topbox", "-o", "comm");
        assertNotEquals(0, noPid.code());
        assertTrue(noPid.err().contains("PID"), noPid.all());
        daemon.docker("rm", "-f", "topbox");

        daemon.docker("network", "create", "--label", "scratch=yes", "prunenet");
        daemon.docker("volume", "create", "prunevol");
        assertEquals("prunenet\n", daemon.docker("inspect", "--type", "network", "-f", "{{.Name}}", "prunenet").out());
        assertEquals("prunevol\n", daemon.client.run("inspect", "--type", "volume", "-f", "{{.Name}}", "prunevol").out());
        daemon.docker("create", "--name", "stopped-one", "--label", "scratch=yes", "busybox", "true");
        daemon.docker("tag", "busybox", "scratch/copy:1");
        var prune = daemon.docker("system", "prune", "-f", "--filter", "label=scratch=yes");
        assertEquals(0, prune.code(), prune.all());
        assertFalse(daemon.docker("ps", "-aq", "--filter", "name=stopped-one").out().contains("\n"), "the labelled stopped container went");
        assertFalse(daemon.docker("network", "ls", "--format", "{{.Name}}").out().lines().anyMatch("prunenet"::equals), "the labelled network went");
        var images = daemon.client.run("image", "prune", "-a", "-f");
        assertEquals(0, images.code(), images.all());
        assertTrue(images.out().contains("untagged: scratch/copy:1"), images.out());
        assertEquals("", daemon.docker("images", "-q").out(), "no container uses busybox now");
        daemon.docker("volume", "rm", "prunevol");
        assertEquals(0, daemon.client.run("pull", "busybox").code(), "busybox back for the other tests");
    }
}
