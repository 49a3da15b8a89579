package jbox.it;

import com.sun.net.httpserver.HttpServer;
import jbox.sys.Sys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Container networks on the real kernel: the default bridge, user networks with names, --network
 * none and host, published ports reached from the host's loopback, outbound NAT shown by its rule's
 * counter, and nothing left behind (no veth, bridge, address claim or rule), also after a daemon's
 * kill -9. Only loopback, jbox's own bridges and a network namespace made here are addressed.
 */
class NetworkTest extends RealEngineTest {

    private String ipOf(String name) throws Exception {
        var r = jbox.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name);
        assertEquals(0, r.code(), r.all());
        return r.out().trim();
    }

    @Test
    void twoContainersOnTheDefaultBridgeReachEachOther() throws Exception {
        assertEquals(0, jbox.run("run", "-d", "--name", "pinged", "busybox", "sleep", "60").code());
        String ip = ipOf("pinged");
        assertTrue(ip.startsWith("172.30."), "an address from jbox0's subnet: " + ip);
        var ping = jbox.run("run", "--rm", "busybox", "ping", "-c", "1", "-W", "2", ip);
        assertEquals(0, ping.code(), ping.all());
        assertTrue(ping.out().contains("1 packets received"), ping.out());
        var inside = jbox.run("exec", "pinged", "sh", "-c", "ip -o -4 addr show eth0; ip route; cat /etc/hostname /etc/hosts");
        assertTrue(inside.out().contains("inet " + ip + "/16"), inside.out());
        assertTrue(inside.out().contains("default via 172.30.0.1 dev eth0"), inside.out());
        String hostname = inside.out().lines().filter(l -> l.matches("[0-9a-f]{12}")).findFirst().orElseThrow();
        assertTrue(inside.out().contains(ip + "\t" + hostname), "its own address in /etc/hosts: " + inside.out());
        assertEquals(1, NetworkLeftovers.defaultBridge().size(), "the bridge exists while a container uses it");
        assertTrue(NetworkLeftovers.linksOf(jbox.root).stream().anyMatch(l -> l.contains("master jbox0") && l.contains("alias jbox container ")),
                "the container's veth is on jbox0, named for its container: " + NetworkLeftovers.linksOf(jbox.root));
        assertEquals(0, jbox.run("rm", "-f", "pinged").code());
        Eventually.waitFor(() -> NetworkLeftovers.linksOf(jbox.root).isEmpty(), "the veth to go with the container");
        assertEquals(List.of(), NetworkLeftovers.claimsOf(jbox.root));
        // jbox0 and the NAT table are the machine's: another jbox (a test in another fork, a learner) may start a
        // container at any moment and make them again, so either they are gone or someone else uses them
        Eventually.waitFor(() -> NetworkLeftovers.othersUseJboxNetworking(jbox.root)
                        || NetworkLeftovers.defaultBridge().isEmpty() && NetworkLeftovers.nftTable().isEmpty(),
                "jbox0 and the NAT table to go with the last container on this machine");
    }

    @Test
    void networkNoneHasOnlyLoopbackAndReachesNothing() throws Exception {
        var r = jbox.run("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net; ping -c 1 -W 1 172.30.0.1");
        assertNotEquals(0, r.code());
        assertEquals("lo\n", r.out().lines().filter(l -> !l.startsWith("PING")).findFirst().map(l -> l + "\n").orElse(""), r.all());
        assertTrue(r.err().contains("Network is unreachable"), r.all());
    }

    @Test
    void networkHostSharesTheHostsStack() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        var r = jbox.run("run", "--rm", "--network", "host", "busybox", "readlink", "/proc/self/ns/net");
        assertEquals(host + "\n", r.out(), r.all());
        var warned = jbox.run("run", "--rm", "--network", "host", "-p", "8080:80", "busybox", "true");
        assertTrue(warned.err().contains("Published ports are discarded when using host network mode"), warned.all());
    }

    @Test
    void aContainerFetchesAPageFromAServerOnTheHost() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ("hello from the host to " + ex.getRemoteAddress().getAddress().getHostAddress()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            var r = jbox.run("run", "--rm", "busybox", "sh", "-c",
                    "wget -qO- http://$(ip route | awk '/default/ {print $3}'):" + port + "/ && echo && ip -o -4 addr show eth0");
            assertEquals(0, r.code(), r.all());
            String mine = r.out().lines().skip(1).findFirst().orElse("").replaceAll(".*inet ([0-9.]+)/.*", "$1");
            assertEquals("hello from the host to " + mine, r.out().lines().findFirst().orElse(""), "the host sees the container's own address: " + r.out());
        } finally {
            server.stop(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(3)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aPublishedPortReachesTheContainersHttpdFromTheHostsLoopback() throws Exception {
        int onLoopback = freePort(), onAll = freePort();
        var run = jbox.run("run", "-d", "--name", "web", "-p", "127.0.0.1:" + onLoopback + ":80", "-p", onAll + ":80",
                "busybox", "sh", "-c", "echo served-by-busybox > /www; httpd -f -p 80 -h /");
        assertEquals(0, run.code(), run.all());
        try {
            Eventually.waitFor(() -> {
                try {
                    return get("http://127.0.0.1:" + onLoopback + "/www").equals("served-by-busybox\n");
                } catch (IOException e) {
                    return false;
                }
            }, "busybox httpd to answer on 127.0.0.1:" + onLoopback);
            assertEquals("served-by-busybox\n", get("http://127.0.0.1:" + onAll + "/www"), "-p HOST:CONTAINER publishes on every address, loopback too");
            assertEquals("80/tcp -> 127.0.0.1:" + onLoopback + "\n80/tcp -> 0.0.0.0:" + onAll + "\n", jbox.run("port", "web").out());
            assertTrue(jbox.run("ps").out().contains("127.0.0.1:" + onLoopback + "->80/tcp, 0.0.0.0:" + onAll + "->80/tcp"), jbox.run("ps").out());
            String table = NetworkLeftovers.nftTable();
            assertTrue(table.contains("127.0.0.1 . tcp . " + onLoopback + " : " + ipOf("web") + " . 80"), table);

            var clash = jbox.run("run", "--rm", "-p", onAll + ":80", "busybox", "true");
            assertEquals(125, clash.code());
            assertTrue(clash.err().contains("port is already allocated"), clash.err());
            var bad = jbox.run("run", "--rm", "-p", "80:99999", "busybox", "true");
            assertEquals(125, bad.code());
            assertTrue(bad.err().contains("is not a port number"), bad.err());
        } finally {
            assertEquals(0, jbox.run("rm", "-f", "web").code());
        }
        assertFalse(NetworkLeftovers.nftTable().contains(" . " + onLoopback + " :"), "the published port's rule goes with the container");
        assertThrows(IOException.class, () -> get("http://127.0.0.1:" + onAll + "/www"));
    }

    @Test
    void containersOnAUserNetworkFindEachOtherByName() throws Exception {
        var create = jbox.run("network", "create", "--subnet", "172.28.5.0/24", "team");
        assertEquals(0, create.code(), create.all());
        assertTrue(NetworkLeftovers.linksOf(jbox.root).stream().anyMatch(l -> l.contains(": jbox-" + create.out().substring(0, 10)) && l.contains("alias jbox network team of ")),
                "its bridge exists from create, named for its network: " + NetworkLeftovers.linksOf(jbox.root));
        assertTrue(jbox.run("network", "ls").out().matches("(?s).*[0-9a-f]{12}\\s+team\\s+bridge\\s+local.*"), jbox.run("network", "ls").out());
        assertEquals(0, jbox.run("run", "-d", "--name", "db", "--network", "team", "busybox", "sleep", "60").code());
        var ping = jbox.run("run", "--rm", "--name", "app", "--network", "team", "busybox", "sh", "-c", "ping -c 1 -W 2 db && cat /etc/hosts");
        assertEquals(0, ping.code(), ping.all());
        assertTrue(ping.out().contains("172.28.5.2\tdb"), ping.out());
        assertTrue(jbox.run("exec", "db", "cat", "/etc/hosts").out().lines().noneMatch(l -> l.endsWith("\tapp")), "app left db's hosts file when it ended");
        String inspect = jbox.run("network", "inspect", "team").out();
        assertTrue(inspect.contains("\"IPv4Address\" : \"172.28.5.2/24\"") && inspect.contains("\"Name\" : \"db\""), inspect);
        var busy = jbox.run("network", "rm", "team");
        assertEquals(125, busy.code());
        assertTrue(busy.err().contains("has active endpoints (db)"), busy.err());
        var overlap = jbox.run("network", "create", "--subnet", "172.28.0.0/16", "clash");
        assertTrue(overlap.err().contains("Pool overlaps"), overlap.all());
        assertEquals(0, jbox.run("rm", "-f", "db").code());
        assertEquals("team\n", jbox.run("network", "rm", "team").out());
        assertEquals(List.of(), NetworkLeftovers.linksOf(jbox.root));
        var gone = jbox.run("run", "--rm", "--network", "team", "busybox", "true");
        assertEquals(125, gone.code());
        assertTrue(gone.err().contains("network team not found"), gone.err());
    }

    /** A stand-in for the outside world: a network namespace behind a veth on the host, with no route back to jbox's subnets. */
    @Test
    void outboundTrafficIsMasqueradedAsTheHost() throws Exception {
        Requires.that(Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft")), "nftables is installed by ./run-tests");
        sh("ip netns add jbt-outside; ip link add jbt-out0 type veth peer name eth0 netns jbt-outside; ip addr add 10.213.0.1/24 dev jbt-out0; "
                + "ip link set jbt-out0 up; ip -n jbt-outside addr add 10.213.0.2/24 dev eth0; ip -n jbt-outside link set eth0 up");
        try {
            assertEquals(0, jbox.run("run", "-d", "--name", "keeper", "busybox", "sleep", "60").code(), "keeps jbox0 and its table up");
            long before = outboundPackets();
            var r = jbox.run("run", "--rm", "busybox", "ping", "-c", "2", "-W", "2", "10.213.0.2");
            assertEquals(0, r.code(), "the outside has no route to 172.30.0.0/16, so its replies only come back if the source was the host's: " + r.all());
            assertTrue(outboundPackets() > before, "the outbound masquerade rule counted the packets");
            assertEquals("1", Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim(), "forwarding is on while jbox0 exists");
        } finally {
            jbox.run("rm", "-f", "keeper");
            sh("ip netns del jbt-outside; ip link del jbt-out0 2>/dev/null; true");
        }
    }

    private static long outboundPackets() throws Exception {
        String t = NetworkLeftovers.nftTable();
        var m = java.util.regex.Pattern.compile("counter packets (\\d+) bytes \\d+ masquerade comment \"outbound\"").matcher(t);
        assertTrue(m.find(), t);
        return Long.parseLong(m.group(1));
    }

    private static void sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void aDaemonKilledMinus9CleansUpWhenItComesBack() throws Exception {
        int port = freePort();
        JboxDaemon daemon = new JboxDaemon(jbox);
        var run = daemon.client.run("run", "-d", "--name", "orphan", "-p", "127.0.0.1:" + port + ":80", "busybox", "sleep", "60");
        assertEquals(0, run.code(), run.all());
        String ip = daemon.client.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "orphan").out().trim();
        int[] pids = daemon.pids();
        int containerPid = Integer.parseInt(daemon.client.run("inspect", "-f", "{{.State.Pid}}", "orphan").out().trim());
        Sys.kill(pids[1], 9); // the keeper first, so it cannot start a new server
        Sys.kill(pids[0], 9);
        assertTrue(daemon.keeper.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the keeper ends (a thread in a slow fsync delays a kill)");
        Sys.kill(containerPid, 9); // it dies with nobody left to record it
        Eventually.waitFor(() -> !Files.exists(Path.of("/proc/" + containerPid)), "the container's process to end");
        assertFalse(NetworkLeftovers.claimsOf(jbox.root).isEmpty(), "the address is still claimed, as nobody released it");
        Files.deleteIfExists(daemon.socket);
        try (JboxDaemon again = new JboxDaemon(jbox)) {
            assertEquals(List.of(), NetworkLeftovers.claimsOf(jbox.root), "the new daemon released the dead container's address");
            assertFalse(NetworkLeftovers.nftTable().contains(ip), "and its published port");
            assertEquals(List.of(), NetworkLeftovers.linksOf(jbox.root), "no veth is left; jbox0 stays, as the new daemon keeps it while it runs");
            assertEquals(0, again.client.run("rm", "orphan").code());
        }
        Eventually.waitFor(() -> NetworkLeftovers.othersUseJboxNetworking(jbox.root) || NetworkLeftovers.defaultBridge().isEmpty(),
                "the daemon to let jbox0 go when it stopped (unless another jbox on this machine uses it)");
    }

    @Test
    void theDockerCliPublishesPortsAndManagesNetworksThroughTheDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        int port = freePort();
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            assertEquals(0, d.docker("network", "create", "dnet").code());
            assertTrue(d.docker("network", "ls").out().contains("dnet"), d.docker("network", "ls").all());
            var run = d.docker("run", "-d", "--name", "dweb", "--network", "dnet", "-p", "127.0.0.1:" + port + ":80", "busybox", "sh", "-c",
                    "echo via-docker > /www; httpd -f -p 80 -h /");
            assertEquals(0, run.code(), run.all());
            assertEquals("80/tcp -> 127.0.0.1:" + port + "\n", d.docker("port", "dweb").out());
            Eventually.waitFor(() -> {
                try {
                    return get("http://127.0.0.1:" + port + "/www").equals("via-docker\n");
                } catch (IOException e) {
                    return false;
                }
            }, "httpd behind docker's -p");
            assertTrue(d.docker("ps").out().contains("127.0.0.1:" + port + "->80/tcp"), d.docker("ps").out());
            assertTrue(d.docker("network", "inspect", "dnet").out().contains("\"Name\": \"dweb\""), d.docker("network", "inspect", "dnet").out());
            assertEquals(0, d.docker("rm", "-f", "dweb").code());
            assertEquals(0, d.docker("network", "rm", "dnet").code());
        }
    }
}
