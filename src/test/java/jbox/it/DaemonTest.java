package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.io.Json;
import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A real `jbox daemon` on a private socket: the docker CLI against it, jbox's own CLI through
 * it, a kill -9 of its server, 100 parallel runs, and bad requests. Everything it started is
 * gone afterwards.
 */
class DaemonTest extends RealEngineTest {
    private JboxDaemon daemon;
    private Path socket;
    private Path daemonLog;
    private Jbox viaDaemon;

    @BeforeAll
    void startDaemon() throws Exception {
        daemon = new JboxDaemon(jbox);
        socket = daemon.socket;
        daemonLog = daemon.log;
        viaDaemon = daemon.client;
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon == null) return;
        daemon.close();
        assertTrue(jbox.run("ps", "-q").out().isBlank(), "no container runs after the daemon stopped");
    }

    private Jbox.Result docker(String... args) throws Exception {
        return daemon.docker(args);
    }

    @Test
    void theDockerCliWorksAgainstJbox() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        var version = docker("version");
        assertEquals(0, version.code(), version.all());
        assertTrue(version.out().contains("Server: jbox"), version.out());
        var info = docker("info");
        assertTrue(info.out().contains("Server Version: 0.1.0"), info.all());

        var hi = docker("run", "--rm", "busybox", "echo", "hi");
        assertEquals(0, hi.code(), hi.all());
        assertEquals("hi\n", hi.out());
        assertEquals(hi.out(), viaDaemon.run("run", "--rm", "busybox", "echo", "hi").out(), "jbox's CLI says the same");

        var failing = docker("run", "--rm", "busybox", "sh", "-c", "echo oops >&2; exit 3");
        assertEquals(3, failing.code());
        assertEquals("oops\n", failing.err(), "stderr stays stderr");

        String id = docker("run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; sleep 1000").out().trim();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertTrue(docker("ps").out().contains("web"));
        assertTrue(viaDaemon.run("ps").out().contains("web"));
        assertTrue(docker("images").out().contains("busybox"));
        waitFor(() -> docker("logs", "web").out().equals("started\n"), "docker logs");
        assertEquals("started\n", viaDaemon.run("logs", "web").out());

        var exec = docker("exec", "web", "sh", "-c", "echo pid=$$ host=$(hostname); exit 4");
        assertEquals(4, exec.code(), "exec's exit code: " + exec.all());
        assertTrue(exec.out().startsWith("pid=") && !exec.out().startsWith("pid=1 "), "exec is a new process beside PID 1: " + exec.out());
        assertTrue(exec.out().contains("host=" + id.substring(0, 12)), "in the container's uts namespace: " + exec.out());
        assertEquals(exec.out(), viaDaemon.run("exec", "web", "sh", "-c", "echo pid=$$ host=$(hostname); exit 4").out().replaceAll("pid=\\d+", exec.out().substring(0, exec.out().indexOf(' '))),
                "jbox exec prints the same");

        assertEquals(0, docker("stop", "-t", "1", "web").code());
        assertTrue(docker("ps", "-a").out().contains("Exited (137)"), "stop killed it after the grace period (sh as PID 1 ignores TERM)");
        assertEquals(0, docker("rm", "web").code());
        assertFalse(docker("ps", "-a").out().contains("web"));
    }

    @Test
    void jboxSaysTheSameWithAndWithoutTheDaemon() throws Exception {
        String id = viaDaemon.run("create", "--name", "same", "busybox", "echo", "x").out().trim();
        String format = "{{.Id}} {{.Name}} {{.State.Status}} {{json .Config.Cmd}}";
        var remote = viaDaemon.run("inspect", "-f", format, "same");
        var local = jbox.run("inspect", "-f", format, "same");
        assertEquals(0, remote.code(), remote.all());
        assertEquals(local.out(), remote.out());
        assertEquals(jbox.run("images").out(), viaDaemon.run("images").out());
        assertEquals(jbox.run("ps", "-a", "-q").out(), viaDaemon.run("ps", "-a", "-q").out());
        assertTrue(viaDaemon.run("info").out().contains("Engine: daemon at unix://" + socket));
        assertTrue(jbox.run("info").out().contains("Engine: in this process"));
        var missing = viaDaemon.run("rm", "nosuch");
        assertEquals(missing.err(), jbox.run("rm", "nosuch").err(), "errors read the same too");
        assertTrue(missing.err().contains("No such container: nosuch"), missing.err());
        assertEquals(0, viaDaemon.run("rm", id).code());
        assertTrue(Files.readString(daemonLog).contains("POST /containers/create  ->  ContainerRoutes.create  201"),
                "--trace shows each request's route and handler");
    }

    @Test
    void aSecondDaemonOnTheSameSocketIsRefused() throws Exception {
        var second = jbox.run("daemon", "-H", "unix://" + socket);
        assertNotEquals(0, second.code());
        assertTrue(second.err().contains("already serving"), second.all());
        assertTrue(daemon.answers(), "the first one still serves");
    }

    @Test
    void killingTheServerLosesNothing() throws Exception {
        viaDaemon.run("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done");
        // "short" ends when the test says so (a file in a bind mount), not after a time a slow machine may exceed
        Path control = Files.createTempDirectory(jbox.root.getParent(), "ctl");
        viaDaemon.run("run", "-d", "--name", "short", "-v", control + ":/ctl", "busybox", "sh", "-c",
                "until [ -e /ctl/end ]; do sleep 0.1; done; exit 42");
        int[] pids = daemon.pids();
        assertTrue(pids[0] > 0, "info names the server");
        assertEquals((int) daemon.keeper.pid(), pids[1], "the keeper is the process we started");
        Sys.kill(pids[0], 9);
        waitFor(() -> daemon.answers() && daemon.pids()[0] > 0 && daemon.pids()[0] != pids[0], "a new server");
        assertTrue(Pattern.compile("found [2-9] running containers").matcher(Files.readString(daemonLog)).find(), Files.readString(daemonLog));
        assertTrue(viaDaemon.run("ps").out().contains("ticker"), "containers keep running while the server is away");
        Files.createFile(control.resolve("end"));
        waitFor(() -> viaDaemon.run("ps", "-a").out().contains("Exited (42)"), "the exit code of a container that ended meanwhile");
        int before = lastTick();
        waitFor(() -> lastTick() > before, "the log to go on after the restart");
        int last = lastTick();
        String log = viaDaemon.run("logs", "ticker").out();
        for (int i = 0; i <= last; i++) assertTrue(log.contains("tick " + i + "\n"), "no line lost across the restart: tick " + i);
        viaDaemon.run("rm", "-f", "ticker", "short");
        Files.delete(control.resolve("end"));
        Files.delete(control);
    }

    private int lastTick() throws Exception {
        List<String> lines = viaDaemon.run("logs", "--tail", "1", "ticker").out().lines().toList();
        return lines.isEmpty() ? -1 : Integer.parseInt(lines.get(lines.size() - 1).substring(5));
    }

    @Test
    void aHundredParallelRunsAllSucceedAndLeakNothing() throws Exception {
        ApiClient api = new jbox.client.SocketClient(socket, "test");
        int server = daemon.pids()[0];
        // Warm up the same path first: files the JVM opens once, on first use (jars, libraries), are not leaks.
        for (int i = 0; i < 3; i++) {
            String id = api.call("POST", "/containers/create", Map.of("Image", "busybox", "Cmd", List.of("true"))).path("Id").asText();
            try (ApiClient.Response wait = api.open("POST", "/containers/" + id + "/wait?condition=next-exit", null, false)) {
                api.call("POST", "/containers/" + id + "/start", null);
                wait.body.readAllBytes();
            }
            api.call("GET", "/containers/" + id + "/json", null);
            api.call("DELETE", "/containers/" + id, null);
        }
        long fdsBefore = Eventually.settled(() -> count(Path.of("/proc/" + server + "/fd")), "the daemon's descriptors after the warm-up");
        List<String> fdsListBefore = fds(server);
        long threadsBefore = JboxDaemon.threads(server);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        List<Future<String[]>> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            runs.add(pool.submit(() -> {
                long s = System.nanoTime();
                JsonNode created = api.call("POST", "/containers/create", Map.of("Image", "busybox", "Cmd", List.of("true")));
                String id = created.path("Id").asText();
                try (ApiClient.Response wait = api.open("POST", "/containers/" + id + "/wait?condition=next-exit", null, false)) {
                    api.call("POST", "/containers/" + id + "/start", null);
                    int code = Json.MAPPER.readTree(wait.body.readAllBytes()).path("StatusCode").asInt(-1);
                    String name = api.call("GET", "/containers/" + id + "/json", null).path("Name").asText();
                    return new String[]{id, name, Integer.toString(code), Long.toString((System.nanoTime() - s) / 1_000_000)};
                }
            }));
        }
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        List<Long> latencies = new ArrayList<>();
        for (Future<String[]> f : runs) {
            String[] r = f.get();
            assertEquals("0", r[2], "container " + r[0] + " ran true");
            ids.add(r[0]);
            names.add(r[1]);
            latencies.add(Long.parseLong(r[3]));
        }
        long total = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(100, ids.size(), "unique ids");
        assertEquals(100, names.size(), "unique names (all 100 exist now; a removed one's name may be used again)");
        List<Future<?>> removals = new ArrayList<>();
        for (String id : ids) removals.add(pool.submit(() -> api.call("DELETE", "/containers/" + id, null)));
        for (Future<?> f : removals) f.get();
        pool.shutdown();
        latencies.sort(null);
        System.out.printf("100 parallel create+start+wait through the daemon: %d ms in all (%.1f runs/s), latency median %d ms, max %d ms%n",
                total, 100_000.0 / total, latencies.get(49), latencies.get(99));
        for (String id : ids) {
            assertFalse(Files.exists(jbox.root.resolve("containers").resolve(id)), "container files of " + id + " removed");
            assertTrue(Jbox.cgroupsOf(id).isEmpty(), "cgroups of " + id + " removed");
        }
        assertFalse(Jbox.hostMounts().contains(jbox.root.resolve("containers").toString()), "no container mount left");
        try {
            waitFor(() -> count(Path.of("/proc/" + server + "/fd")) <= fdsBefore + 2, "the daemon's descriptors to be closed");
        } catch (AssertionError e) {
            // named below, with the descriptors that are left
        }
        List<String> now = fds(server);
        now.removeAll(fdsListBefore);
        assertTrue(count(Path.of("/proc/" + server + "/fd")) <= fdsBefore + 2, "the daemon's fds back to where they were; new ones: " + now);
        waitFor(() -> JboxDaemon.threads(server) <= threadsBefore + 4, "the daemon's threads back to where they were ("
                + threadsBefore + " before, " + JboxDaemon.threads(server) + " now)");
    }

    @Test
    void anIdleContainerHoldsTwoDescriptorsAndNoThreadInTheDaemonAndAWaitWhoseClientLeftLetsGo() throws Exception {
        ApiClient api = new jbox.client.SocketClient(socket, "test");
        int server = daemon.pids()[0];
        List<String> ids = new ArrayList<>();
        String warm = api.call("POST", "/containers/create", Map.of("Image", "busybox", "Cmd", List.of("sleep", "1000"))).path("Id").asText();
        api.call("POST", "/containers/" + warm + "/start", null);
        ids.add(warm);
        long before = Eventually.settled(() -> count(Path.of("/proc/" + server + "/fd")), "the daemon's descriptors after the warm-up");
        List<String> fdsBefore = fds(server);
        long threadsBefore = Eventually.settled(() -> count(Path.of("/proc/" + server + "/task")), "the daemon's threads after the warm-up");
        int n = 8;
        for (int i = 0; i < n; i++) {
            String id = api.call("POST", "/containers/create", Map.of("Image", "busybox", "Cmd", List.of("sleep", "1000"))).path("Id").asText();
            ids.add(id);
            // as `docker run -d` does: a wait begun, the container started, the client gone before it ends
            ApiClient.Response wait = api.open("POST", "/containers/" + id + "/wait?condition=next-exit", null, false);
            api.call("POST", "/containers/" + id + "/start", null);
            wait.close();
        }
        long idle = Eventually.settled(() -> count(Path.of("/proc/" + server + "/fd")), "the daemon's descriptors with " + n + " idle containers");
        List<String> added = fds(server);
        added.removeAll(fdsBefore);
        assertTrue(idle - before <= 2L * n, n + " idle containers hold at most " + 2 * n + " descriptors in the daemon (their stdout and stderr); new: " + added);
        assertTrue(added.stream().noneMatch(f -> f.startsWith("socket:")), "no connection of a client that left is held: " + added);
        long threads = Eventually.settled(() -> count(Path.of("/proc/" + server + "/task")), "the daemon's threads with " + n + " idle containers");
        // one thread moves every container's output; the API's pool may keep a thread or two more for the waits
        assertTrue(threads - threadsBefore <= n / 2, n + " idle containers hold no thread each in the daemon: " + threadsBefore + " threads before, " + threads + " after");
        for (String id : ids) api.call("DELETE", "/containers/" + id + "?force=1", null);
        waitFor(() -> count(Path.of("/proc/" + server + "/fd")) <= before - 2, "the daemon's descriptors of the removed containers to be closed");
    }

    private static long count(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    private static List<String> fds(int pid) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    @Test
    void badRequestsGetDockerStyleErrorsAndTheDaemonStaysUp() throws Exception {
        assertEquals(400, daemon.raw("POST /v1.41/containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"Image\":").status());
        JboxDaemon.Reply unknownField = daemon.raw(post("/v1.41/containers/create", "{\"Image\":\"busybox\",\"Bogus\":1}"));
        assertEquals(400, unknownField.status());
        assertTrue(unknownField.body().contains("unknown field \\\"Bogus\\\""), unknownField.body());
        JboxDaemon.Reply missing = daemon.raw("GET /v1.41/containers/nosuch/json HTTP/1.1\r\n\r\n");
        assertEquals(404, missing.status());
        assertTrue(missing.body().contains("\"message\":\"No such container: nosuch\""), missing.body());
        assertEquals(413, daemon.raw("POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n").status(), "a huge body is refused unread");
        assertEquals(400, daemon.raw("GARBAGE\r\n\r\n").status());
        assertEquals(405, daemon.raw("PUT /v1.41/containers/json HTTP/1.1\r\n\r\n").status());
        assertEquals(404, daemon.raw("GET /v1.41/nothing/here HTTP/1.1\r\n\r\n").status());
        assertEquals(400, daemon.raw("GET /v9.99/_ping HTTP/1.1\r\n\r\n").status(), "an API version jbox does not speak");

        viaDaemon.run("run", "-d", "--name", "busy", "busybox", "sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); done");
        assertEquals(409, daemon.raw("DELETE /v1.41/containers/busy HTTP/1.1\r\n\r\n").status(), "a running container is a conflict");
        // A client attached to the spamming container that never reads: the container, its log and other clients go on.
        try (SocketChannel stuck = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stuck.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(stuck).write("POST /v1.41/containers/busy/attach?stream=1&stdout=1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n".getBytes());
            long before = Long.parseLong(viaDaemon.run("logs", "--tail", "1", "busy").out().trim());
            waitFor(() -> Long.parseLong(viaDaemon.run("logs", "--tail", "1", "busy").out().trim()) > before + 1000,
                    "the container and its log to go on while a client is stuck");
            assertEquals(200, daemon.raw("GET /_ping HTTP/1.1\r\n\r\n").status(), "other clients are served");
        }
        for (int i = 0; i < 5; i++) {
            // a client that goes away in the middle of a followed log
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                Channels.newOutputStream(ch).write("GET /v1.41/containers/busy/logs?stdout=1&follow=1 HTTP/1.1\r\n\r\n".getBytes());
                Channels.newInputStream(ch).readNBytes(1000);
            }
        }
        assertEquals(200, daemon.raw("GET /_ping HTTP/1.1\r\n\r\n").status(), "still serving");
        assertEquals(0, viaDaemon.run("rm", "-f", "busy").code());
        Failure e = assertThrows(Failure.class, () -> new jbox.client.SocketClient(socket, "t").call("POST", "/containers/nosuch/start", null));
        assertEquals(404, e.httpStatus());
    }

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " + json.getBytes().length + "\r\n\r\n" + json;
    }


}
