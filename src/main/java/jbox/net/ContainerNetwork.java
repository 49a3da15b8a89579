package jbox.net;

import jbox.linux.MountPlan;

import jbox.sys.Failure;
import jbox.sys.Places;
import jbox.io.FileLock;
import jbox.linux.Storage;
import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Puts one container on its network, in three steps around its start:
 * prepare (before its namespaces exist: bridge, address, /etc files), attach (its first process
 * exists, gated: the veth pair, eth0's address and route, published ports), and release (it
 * ended: ports, address and peers' hosts entries; the default bridge when it was the last).
 */
public final class ContainerNetwork {
    private ContainerNetwork() {}

    /** What a start needs: the endpoint (bridge networks only), the /etc files to bind, whether to share the host's stack. */
    public record Prepared(Networking.Endpoint endpoint, List<MountPlan> files, boolean hostNetwork) {}

    /** What docker would warn about when the container is created: ports a network discards, NAT this host cannot do. */
    public static List<String> warnings(Network n, List<PortSpec> ports) {
        List<String> out = new ArrayList<>();
        if (!n.hasBridge() && !ports.isEmpty()) out.add("WARNING: Published ports are discarded when using " + n.name() + " network mode");
        if (n.hasBridge() && !n.internal() && !Firewall.available()) {
            out.add("WARNING: containers on " + n.name() + " cannot reach other networks: this host has no nft command for NAT "
                    + "(install nftables: apt-get install nftables)");
        }
        return out;
    }

    /**
     * Before the container's namespaces exist. userTargets: paths the user mounts over, whose
     * /etc file jbox then leaves alone (as docker does).
     */
    public static Prepared prepare(Network n, String root, String id, String name, String hostname, Networking asked, Path stateDir,
                                   Set<String> userTargets) throws IOException {
        List<PortSpec> ports = asked.ports();
        boolean host = Network.HOST.equals(n.name());
        if (!n.hasBridge()) {
            HostsFiles.write(stateDir, hostname, null, List.of(), List.of(), host);
            return new Prepared(null, files(stateDir, userTargets), host);
        }
        List<PortSpec> published = hostPorts(ports); // before anything is made: a taken port then leaves nothing to undo
        if (Places.rootless()) return userMode(n, id, hostname, stateDir, userTargets, published, "jbox container " + id + " of " + root);
        Path hostsFile = HostsFiles.hosts(stateDir);
        Ipv4 ip;
        try (FileLock ignored = Bridges.lock()) {
            Bridges.ensure(n, n.isDefault() ? null : "jbox network " + n.name() + " of " + root);
            Claims.Claim self = Claims.claim(n, root, id, name, hostname, asked.aliases(), hostsFile);
            ip = Ipv4.parse(self.ip());
            try {
                List<String> peers = new ArrayList<>();
                List<String> names = new ArrayList<>();
                if (!n.isDefault()) {
                    for (Claims.Claim c : Claims.list(n.bridge())) {
                        if (c.ip().equals(self.ip())) continue;
                        peers.add(c.hostsLine());
                        HostsFiles.addPeer(Path.of(c.hostsFile()), self.hostsLine());
                    }
                    if (!name.equals(hostname)) names.add(name);
                    names.addAll(asked.aliases());
                }
                HostsFiles.write(stateDir, hostname, ip.toString(), names, peers, false);
            } catch (IOException | RuntimeException e) {
                Claims.release(n.bridge(), ip.toString());
                throw e;
            }
        }
        Networking.Endpoint e = new Networking.Endpoint(n.name(), n.id(), n.bridge(), ip.toString(), n.range().prefix(), n.gateway(), mac(ip),
                "veth" + id.substring(0, 11), published, "jbox container " + id + " of " + root);
        return new Prepared(e, files(stateDir, userTargets), false);
    }

    /** Without root a bridge cannot be made: the default network is slirp4netns's, and the only one. */
    private static Prepared userMode(Network n, String id, String hostname, Path stateDir, Set<String> userTargets, List<PortSpec> published,
                                     String owner) throws IOException {
        if (!n.isDefault()) throw noBridgeWithoutRoot("cannot connect to network " + n.name());
        HostsFiles.write(stateDir, hostname, UserModeNetwork.IP, List.of(), List.of(), false);
        HostsFiles.rewrite(stateDir.resolve("resolv.conf"), UserModeNetwork.resolvConf());
        return new Prepared(UserModeNetwork.endpoint(n, id, published, owner), files(stateDir, userTargets), false);
    }

    private static Failure noBridgeWithoutRoot(String what) {
        return new Failure(what + ": jbox runs without root, and a network of its own needs a bridge device",
                "only root may make network devices on the host; without root each container gets a user-mode network of its own (slirp4netns)",
                "use the default network or --network none, or run jbox as root").httpStatus(403);
    }

    private static List<MountPlan> files(Path stateDir, Set<String> userTargets) {
        List<MountPlan> out = new ArrayList<>();
        for (String target : HostsFiles.TARGETS) {
            if (userTargets.contains(target)) continue;
            Path source = stateDir.resolve(target.substring("/etc/".length()));
            out.add(new MountPlan(new Storage.Mount(Storage.Type.BIND, source.toString(), target, false, null, false, true), source, false));
        }
        return out;
    }

    /** Docker's scheme: 02:42 and the four bytes of the address, so a MAC never clashes on the bridge. */
    static String mac(Ipv4 ip) {
        byte[] b = ip.bytes();
        return String.format("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
    }

    private static byte[] macBytes(String mac) {
        String[] p = mac.split(":");
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) out[i] = (byte) Integer.parseInt(p[i], 16);
        return out;
    }

    /** Host ports as they will be: a free one for each "any port", and a clear error for one a host program holds. */
    private static List<PortSpec> hostPorts(List<PortSpec> asked) throws IOException {
        List<PortSpec> out = new ArrayList<>();
        for (PortSpec p : asked) {
            InetAddress addr = InetAddress.getByName(p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
            int port = p.hostPort();
            try {
                if (p.proto().equals("udp")) {
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, port))) {
                        port = s.getLocalPort();
                    }
                } else {
                    try (ServerSocket s = new ServerSocket()) {
                        s.bind(new InetSocketAddress(addr, port));
                        port = s.getLocalPort();
                    }
                }
            } catch (IOException e) {
                if (Places.rootless() && port < 1024 && String.valueOf(e.getMessage()).contains("Permission denied")) {
                    throw new Failure("cannot publish " + p.hostSide() + ": ports below 1024 are root's", "jbox runs without root, and the host keeps low ports"
                            + " for root (sysctl net.ipv4.ip_unprivileged_port_start)", "choose a host port from 1024 up, e.g. -p 8080:" + p.containerPort());
                }
                throw new Failure("driver failed programming external connectivity: Bind for " + p.hostSide() + " failed: port is already allocated ("
                        + e.getMessage() + ")", "a program on the host already listens on that port", "choose another host port, e.g. -p 8081:" + p.containerPort());
            }
            out.add(new PortSpec(p.hostIp(), port, p.containerPort(), p.proto()));
        }
        return out;
    }

    /** The container's first process exists (gated before exec): wire its eth0 and publish its ports. */
    public static void attach(Networking.Endpoint e, int pid) {
        if (UserModeNetwork.carries(e)) {
            UserModeNetwork.attach(e, pid);
            return;
        }
        String ns = "/proc/" + pid + "/ns/net";
        Ipv4.Subnet range = Ipv4.Subnet.of(Ipv4.parse(e.ip()), e.prefix());
        try {
            int nsFd = Sys.open(ns, Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            try (Netlink nl = Netlink.open()) {
                Links.Link br = Links.find(nl, e.bridge());
                if (br == null) throw new Failure("the bridge " + e.bridge() + " of network " + e.network() + " is gone", "it was deleted by hand meanwhile", "start the container again");
                Links.addVethInto(nl, e.hostVeth(), br.index(), "eth0", macBytes(e.mac()), nsFd);
                if (e.owner() != null) Links.setAlias(nl, Links.find(nl, e.hostVeth()).index(), e.hostVeth(), e.owner());
            } finally {
                Sys.close(nsFd);
            }
            try (Netlink in = Netlink.openIn(ns)) {
                Links.Link eth0 = Links.find(in, "eth0");
                Links.addAddress(in, eth0.index(), "eth0", Ipv4.parse(e.ip()), range);
                Links.up(in, eth0.index(), "eth0");
                Links.addDefaultRoute(in, eth0.index(), "eth0", Ipv4.parse(e.gateway()));
            }
        } catch (SyscallException ex) {
            throw new Failure("cannot connect the container to network " + e.network() + ": " + ex.getMessage(),
                    "the kernel refused a network device change", "check `ip link` for a device named " + e.hostVeth() + ", or use --network none");
        }
        Firewall.publish(rules(e));
    }

    private static List<Firewall.Rule> rules(Networking.Endpoint e) {
        return e.ports().stream().map(p -> new Firewall.Rule(p, Ipv4.parse(e.ip()))).toList();
    }

    /** The container ended (or never started): everything attach and prepare made goes. */
    public static void release(Networking.Endpoint e) {
        if (UserModeNetwork.carries(e)) {
            UserModeNetwork.release(e);
            return;
        }
        Firewall.unpublish(rules(e));
        try (FileLock ignored = Bridges.lock()) {
            try (Netlink nl = Netlink.open()) {
                // The kernel deletes the pair with the container's namespace, but not at once.
                Links.Link v = Links.find(nl, e.hostVeth());
                if (v != null) Links.delete(nl, v.index(), v.name());
            } catch (SyscallException ex) {
                // gone meanwhile
            }
            Claims.release(e.bridge(), e.ip());
            List<Claims.Claim> left = Claims.list(e.bridge());
            if (!Network.DEFAULT.equals(e.network())) {
                for (Claims.Claim c : left) HostsFiles.removePeer(Path.of(c.hostsFile()), e.ip());
            } else if (left.isEmpty() && !Bridges.held(e.bridge())) {
                Bridges.remove(e.bridge());
            }
        } catch (IOException ex) {
            throw new Failure("cannot release the address " + e.ip() + " on network " + e.network() + ": " + ex.getMessage(),
                    "jbox keeps its network state under " + Bridges.RUN, "check that " + Bridges.RUN.getParent() + " is writable");
        }
    }

    /** The daemon keeps the default bridge from its start to its stop; on stop it goes if no container uses it. */
    public static void holdDefaultBridge(Network defaultNetwork, boolean on) throws IOException {
        if (Places.rootless()) return; // no bridge: slirp4netns per container
        try (FileLock ignored = Bridges.lock()) {
            if (on) Bridges.ensure(defaultNetwork, null);
            Bridges.hold(defaultNetwork.bridge(), on);
            if (!on && Claims.list(defaultNetwork.bridge()).isEmpty() && !Bridges.held(defaultNetwork.bridge())) Bridges.remove(defaultNetwork.bridge());
        }
    }

    /** network create: the bridge now, not at first use. */
    public static void ensureBridge(Network n, String owner) throws IOException {
        if (Places.rootless()) throw noBridgeWithoutRoot("cannot create network " + n.name());
        Bridges.ensure(n, owner);
    }

    /** network rm (the caller holds the host lock and checked that no container is attached). */
    public static void removeBridge(String bridge) throws IOException {
        Bridges.remove(bridge);
    }

    /**
     * A daemon starting (perhaps after kill -9): addresses of this root whose container is not
     * running are released, with their ports, and the default bridge goes if nobody uses it.
     */
    public static List<String> sweep(String root, Set<String> running) throws IOException {
        List<String> freed = new ArrayList<>();
        if (Places.rootless()) return freed; // nothing claimed: each slirp4netns ended with its starter
        try (FileLock ignored = Bridges.lock()) {
            List<String> claimed = new ArrayList<>();
            if (Files.isDirectory(Bridges.RUN)) {
                try (var dirs = Files.list(Bridges.RUN)) {
                    for (Path d : dirs.filter(Files::isDirectory).toList()) {
                        String bridge = d.getFileName().toString();
                        for (Claims.Claim c : Claims.list(bridge)) {
                            if (c.root().equals(root) && !running.contains(c.id())) {
                                Claims.release(bridge, c.ip());
                                for (Claims.Claim other : Claims.list(bridge)) HostsFiles.removePeer(Path.of(other.hostsFile()), c.ip());
                                freed.add(c.name() + " " + c.ip());
                            } else {
                                claimed.add(c.ip());
                            }
                        }
                        if (bridge.equals(Network.DEFAULT_BRIDGE) && Claims.list(bridge).isEmpty() && !Bridges.held(bridge)) Bridges.remove(bridge);
                    }
                }
            }
            Firewall.unpublishAllBut(claimed);
        }
        return freed;
    }
}
