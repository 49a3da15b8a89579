package jbox.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jbox.sys.Failure;
import jbox.sys.Places;
import jbox.sys.Processes;
import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default network without root: slirp4netns, a user-mode TCP/IP stack (as rootless podman's). It
 * owns the container's tap0 and makes the container's traffic the user's own sockets on the host, so
 * no host device or firewall rule is made. The container is 10.0.2.100, its gateway 10.0.2.2 and its
 * DNS 10.0.2.3 (slirp4netns forwards to the host's resolvers); a -p port is an API call that makes
 * slirp4netns listen on the host port. slirp4netns ends when its exit descriptor closes: the jbox
 * process that started the container holds it until it releases the network, and if that process
 * dies it closes by itself, so nothing outlives both.
 */
public final class UserModeNetwork {
    /** The endpoint's "bridge": there is none, slirp4netns stands in its place. */
    public static final String DRIVER = "slirp4netns";
    static final String IP = "10.0.2.100";
    static final String GATEWAY = "10.0.2.2";
    static final String DNS = "10.0.2.3";
    /** The endpoint's owner ("jbox container ID of ROOT") -> the write end of its slirp4netns's exit pipe. */
    private static final Map<String, Integer> EXIT_FDS = new ConcurrentHashMap<>();

    private UserModeNetwork() {}

    static boolean carries(Networking.Endpoint e) { return DRIVER.equals(e.bridge()); }

    static Networking.Endpoint endpoint(Network n, String id, List<PortSpec> published, String owner) {
        // No host device: "slirp" and the id, as a bridge endpoint is "veth" and the id (docker inspect's EndpointID).
        return new Networking.Endpoint(n.name(), n.id(), DRIVER, IP, 24, GATEWAY, null, "slirp" + id.substring(0, 11), published, owner);
    }

    static String resolvConf() { return "nameserver " + DNS + "\n"; }

    static void attach(Networking.Endpoint e, int pid) {
        Path slirp = Path.of("/usr/bin/slirp4netns");
        if (!Files.isExecutable(slirp)) {
            throw new Failure("cannot give the container a network: slirp4netns is not installed",
                    "without root jbox cannot make network devices, and uses slirp4netns for the container's network", "install it (apt-get install slirp4netns), or use --network none");
        }
        Path tun = Path.of("/dev/net/tun");
        if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
            throw new Failure("cannot give the container a network: /dev/net/tun is closed to users on this host",
                    "without root jbox uses slirp4netns, which needs a tap device; this host keeps /dev/net/tun for root (Debian's default is mode 0666)",
                    "ask the administrator to run: sudo chmod 0666 /dev/net/tun; or use --network none");
        }
        Path api = Places.runDir().resolve(e.hostVeth() + ".sock");
        int[] exit = Sys.pipe();
        int[] ready = Sys.pipe();
        int child;
        List<String> argv = List.of(slirp.toString(), "--configure", "--mtu=65520", "--disable-host-loopback", "--exit-fd=3", "--ready-fd=4",
                "--api-socket", api.toString(), Integer.toString(pid), "tap0");
        try (Spawn s = new Spawn(argv.get(0), argv, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"))) {
            // Its chatter is not the container's output.
            s.setsid().open(0, "/dev/null", jbox.sys.Linux.O_RDONLY, 0).open(1, "/dev/null", jbox.sys.Linux.O_WRONLY, 0).dup2(1, 2).dup2(exit[0], 3).dup2(ready[1], 4).closeFrom(5);
            child = s.spawn();
        } finally {
            Sys.close(exit[0]);
            Sys.close(ready[1]);
        }
        Processes.reapInBackground(child);
        try {
            byte[] b = new byte[1];
            if (Sys.read(ready[0], b) != 1) {
                Sys.close(exit[1]);
                deleteQuietly(api);
                throw new Failure("cannot give the container a network: slirp4netns ended before it was ready",
                        "it could not join the container's network namespace or make its tap device", "use --network none, and report this with `slirp4netns --version`");
            }
        } finally {
            Sys.close(ready[0]);
        }
        EXIT_FDS.put(e.owner(), exit[1]);
        try {
            for (PortSpec p : e.ports()) forward(api, p);
        } catch (RuntimeException ex) {
            release(e);
            throw ex;
        } finally {
            deleteQuietly(api); // ports are only added at start
        }
    }

    private static void deleteQuietly(Path api) {
        try {
            Files.deleteIfExists(api);
        } catch (IOException ignored) {
            // the run directory is the user's own and 0700: a stale socket file there harms no one
        }
    }

    /** -p: slirp4netns listens on the host port and forwards it to the container's. */
    private static void forward(Path api, PortSpec p) {
        String host = p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp();
        String request = "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"" + p.proto() + "\",\"host_addr\":\"" + host
                + "\",\"host_port\":" + p.hostPort() + ",\"guest_addr\":\"" + IP + "\",\"guest_port\":" + p.containerPort() + "}}";
        String answer;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(api));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            answer = new String(readAll(ch), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new Failure("cannot publish port " + p.hostSide() + ": slirp4netns's API did not answer (" + ex.getMessage() + ")",
                    "slirp4netns ended or refused the connection", "start the container again");
        }
        try {
            JsonNode error = new ObjectMapper().readTree(answer).path("error");
            if (!error.isMissingNode()) {
                throw new Failure("cannot publish port " + p.hostSide() + ": " + error.path("desc").asText(error.toString()),
                        "another program may hold the port, or a port below 1024 needs root", "choose another host port, e.g. -p 8081:" + p.containerPort());
            }
        } catch (IOException ex) {
            throw new Failure("cannot publish port " + p.hostSide() + ": slirp4netns answered " + answer, "an unexpected answer", "report this with `slirp4netns --version`");
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (ch.read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    /** The container ended: its slirp4netns ends too (when this process started it; else it ended with that process). */
    static void release(Networking.Endpoint e) {
        Integer fd = EXIT_FDS.remove(e.owner());
        if (fd != null) Sys.close(fd);
    }
}
