package jbox.it;

import jbox.io.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The daemon's server killed with SIGKILL again and again while twenty clients create, start and
 * remove containers: every kill lands somewhere in the middle of some container's life. After it,
 * the next server must find everything consistent: no half-made container directory, unique names,
 * no process that never started its program, no client left hanging, and every container startable.
 */
class DaemonFaultsTest extends RealEngineTest {
    private static final Pattern SERVER = Pattern.compile("server pid (\\d+), keeper pid (\\d+)");
    private static final int LANES = 20, KILLS = 20;

    @Test
    void killingTheServerMidWorkLeavesEveryContainerConsistent() throws Exception {
        try (JboxDaemon daemon = new JboxDaemon(jbox)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger answered = new AtomicInteger();
            List<String> hangs = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> lanes = new ArrayList<>();
            for (int lane = 0; lane < LANES; lane++) {
                int l = lane;
                Thread t = new Thread(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String name = "lane" + l + "-" + n;
                        call(daemon, hangs, answered, "POST", "/v1.41/containers/create?name=" + name, "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"1\"]}");
                        call(daemon, hangs, answered, "POST", "/v1.41/containers/" + name + "/start", null);
                        call(daemon, hangs, answered, "DELETE", "/v1.41/containers/" + name + "?force=1", null); // what a kill interrupted stays, for the checks
                    }
                });
                t.start();
                lanes.add(t);
            }
            List<Integer> killed = new ArrayList<>();
            int previousServer = -1;
            while (killed.size() < KILLS) {
                int before = answered.get();
                int last = previousServer;
                // each kill lands while the server works: after it answered the lanes a few times (a condition, not a pause)
                Eventually.waitFor(() -> answered.get() >= before + 3 && newServer(daemon, last) && daemon.answers(),
                        "the lanes to go on with a new server");
                int server = serverPid(daemon);
                assertTrue(server > 1 && server != last, "a server's pid, never -1 (kill -9 -1 would kill every process)");
                assertTrue(ProcessHandle.of(server).map(ProcessHandle::destroyForcibly).orElse(false), "SIGKILL sent to server " + server);
                previousServer = server;
                killed.add(server);
            }
            int lastKilled = previousServer;
            Eventually.waitFor(() -> newServer(daemon, lastKilled) && daemon.answers(), "a server after the last kill");
            stop.set(true);
            for (Thread t : lanes) t.join(TimeUnit.MINUTES.toMillis(2));
            assertEquals(List.of(), hangs, "no client waited more than 30 s for an answer");
            String log = Files.readString(daemon.log);
            // Every server the log shows ended as the test ended it, and each was followed by a new one. A server
            // that died otherwise (a stray kill by a pid that was reused, say) is named with the lines around its end.
            List<Integer> started = serversStarted(log);
            assertEquals(killed.size() + 1, started.size(), "one new server after each kill, no more: killed " + killed + ", started " + started
                    + serverDeaths(log, killed));

            // What the servers left, seen on disk and in the kernel
            Path containers = jbox.root.resolve("containers");
            List<String> broken = new ArrayList<>();
            try (var s = Files.list(containers)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".new-") || n.startsWith(".trash-")) broken.add(n + " (half-made or half-removed)");
                    else if (!n.startsWith(".") && !Files.isRegularFile(p.resolve("state.json"))) broken.add(n + " (no state)");
                }
            }
            assertEquals(List.of(), broken, "every container directory is whole");
            Set<String> names = new HashSet<>();
            List<String> ids = new ArrayList<>();
            for (String id : jbox.containerDirs()) {
                String name = Json.MAPPER.readTree(containers.resolve(id).resolve("state.json").toFile()).path("config").path("name").asText();
                assertFalse(name.isEmpty(), "the state of " + id + " names its container");
                assertTrue(names.add(name), "the name " + name + " is held once");
                ids.add(id);
            }
            assertEquals(List.of(), gatedProcesses(containers), "no process waits at a gate nobody will open");
            int[] pids = daemon.pids();
            assertEquals(List.of(), strayJvmCopies(pids[1], pids[0]), "the keeper has no child but the server and containers");
            JboxDaemon.Reply ps = daemon.raw("GET /v1.41/containers/json?all=1 HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertEquals(200, ps.status(), ps.body());
            List<String> listed = new ArrayList<>();
            for (var c : Json.MAPPER.readTree(ps.body())) listed.add(c.path("Names").get(0).asText().substring(1) + " " + c.path("Status").asText());
            assertEquals(ids.size(), listed.size(), "ps -a shows every container on disk: " + listed);
            for (String line : listed) {
                String name = line.split(" ")[0];
                JboxDaemon.Reply start = daemon.raw("POST /v1.41/containers/" + name + "/start HTTP/1.1\r\nConnection: close\r\n\r\n");
                assertTrue(start.status() == 204 || start.status() == 304, "a container the kills left behind starts again: " + line + " " + start);
                assertEquals(204, daemon.raw("DELETE /v1.41/containers/" + name + "?force=1 HTTP/1.1\r\nConnection: close\r\n\r\n").status());
            }
        }
        assertEquals(List.of(), jbox.containerDirs(), "all removed");
    }

    private static List<Integer> serversStarted(String log) {
        List<Integer> pids = new ArrayList<>();
        Matcher m = SERVER.matcher(log);
        while (m.find()) pids.add(Integer.parseInt(m.group(1)));
        return pids;
    }

    /** The keeper's lines on servers that ended other than by the test's kills, each with the five lines before it. */
    private static String serverDeaths(String log, List<Integer> killed) {
        StringBuilder out = new StringBuilder();
        String[] lines = log.split("\n");
        Pattern ended = Pattern.compile("the server \\(pid (\\d+)\\) ended");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = ended.matcher(lines[i]);
            if (!m.find() || killed.contains(Integer.parseInt(m.group(1)))) continue;
            out.append("\n--- a server the test did not kill ended:");
            for (int j = Math.max(0, i - 5); j <= i; j++) out.append("\n").append(lines[j]);
        }
        return out.toString();
    }

    /**
     * Whether a server other than the last one killed runs, read once: read twice, the killed one could pass
     * the first test while it was still dying and the second once it had died (-1), with no new server yet.
     */
    private static boolean newServer(JboxDaemon daemon, int lastKilled) throws IOException {
        int server = serverPid(daemon);
        return server > 1 && server != lastKilled;
    }

    /**
     * The server's pid as its last start line in the log says, if that process still runs as the keeper's
     * child (a pid is soon reused here, by threads too); -1 while none does.
     */
    private static int serverPid(JboxDaemon daemon) throws IOException {
        Matcher m = SERVER.matcher(Files.readString(daemon.log));
        int pid = -1, keeper = -1;
        while (m.find()) {
            pid = Integer.parseInt(m.group(1));
            keeper = Integer.parseInt(m.group(2));
        }
        if (pid <= 1) return -1;
        try {
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            boolean alive = status.contains("\nTgid:\t" + pid + "\n") && status.contains("\nPPid:\t" + keeper + "\n") && !status.contains("State:\tZ");
            return alive ? pid : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * One request with Connection: close, answered within 30 s or recorded as a hang; failures while servers come and
     * go are expected. Counts the requests a server answered (a refused connection, or one a kill cut, is no answer).
     */
    private static void call(JboxDaemon daemon, List<String> hangs, AtomicInteger answered, String method, String path, String json) {
        String body = json == null ? "" : json;
        String req = method + " " + path + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        SocketChannel[] ch = new SocketChannel[1];
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                ch[0] = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch[0].connect(UnixDomainSocketAddress.of(daemon.socket));
                Channels.newOutputStream(ch[0]).write(req.getBytes(StandardCharsets.UTF_8));
                if (new String(Channels.newInputStream(ch[0]).readAllBytes(), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 ")) answered.incrementAndGet();
            } catch (IOException e) {
                // the server was killed under this request, or is not up yet
            } finally {
                try {
                    if (ch[0] != null) ch[0].close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        });
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            hangs.add(method + " " + path);
            try {
                if (ch[0] != null) ch[0].close();
            } catch (IOException ignored) {
                // closing anyway
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Processes whose working directory is a gate of this root: first processes waiting to exec. */
    private static List<String> gatedProcesses(Path containers) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                try {
                    String cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                    if (cwd.startsWith(containers.toString()) && cwd.contains("/gate")) out.add(p.getFileName() + " " + cwd);
                } catch (IOException | UnsupportedOperationException e) {
                    // not a process, or gone
                }
            }
        }
        return out;
    }

    /** Children of the keeper that are copies of the server's JVM (never exec'd) other than the server itself. */
    private static List<String> strayJvmCopies(int keeper, int server) throws IOException {
        List<String> out = new ArrayList<>();
        Object ino = Files.getAttribute(Path.of("/proc/" + server + "/exe"), "unix:ino");
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit) || Integer.parseInt(pid) == server) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int parent = Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                    if (parent == keeper && ino.equals(Files.getAttribute(p.resolve("exe"), "unix:ino"))) out.add(pid);
                } catch (IOException e) {
                    // gone
                }
            }
        }
        return out;
    }
}
