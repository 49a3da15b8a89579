package jbox.net;

import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.sys.Failure;
import jbox.sys.Places;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of jbox's networks: the Linux bridges (jbox0 for the default network), their
 * gateway addresses, IP forwarding and the NAT table. Shared by every jbox process on the host,
 * so every change is made under one host-wide lock.
 */
public final class Bridges {
    static final Path RUN = Places.runDir().resolve("net");
    private static final Path FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    /** Present while jbox has switched forwarding on; when the last bridge goes, it is switched off again. */
    private static final Path FORWARDING_WAS_OFF = RUN.resolve("forwarding-was-off");

    private Bridges() {}

    public static FileLock lock() throws IOException { return FileLock.acquire(RUN.resolve(".lock")); }

    /** The subnet the kernel has on a bridge (its gateway address and prefix), or null if it does not exist. */
    public static Ipv4.Subnet subnetOf(String bridge) {
        try (Netlink nl = Netlink.open()) {
            Links.Link l = Links.find(nl, bridge);
            if (l == null) return null;
            for (Links.Address a : Links.addresses(nl)) {
                if (a.index() == l.index()) return a.subnet();
            }
            return null;
        }
    }

    /** Every IPv4 subnet on the host's devices, to pick new subnets that clash with none. */
    public static List<Ipv4.Subnet> hostSubnets() {
        List<Ipv4.Subnet> out = new ArrayList<>();
        try (Netlink nl = Netlink.open()) {
            for (Links.Address a : Links.addresses(nl)) out.add(a.subnet());
        }
        return out;
    }

    /**
     * Makes the network's bridge, its address and NAT if missing (caller holds the lock; a host
     * without nft gets no NAT, which create warns about). A bridge that is already up was set up
     * when it was made: nothing more to do, so a container start on a live bridge asks nft nothing.
     */
    /** @param owner the bridge's alias, naming whose it is ("jbox network NAME of ROOT"), or null (jbox0 is everyone's) */
    static void ensure(Network n, String owner) throws IOException {
        try (Netlink nl = Netlink.open()) {
            Links.Link br = Links.find(nl, n.bridge());
            if (br != null && br.up()) return;
            if (br == null) {
                Links.addBridge(nl, n.bridge());
                br = Links.find(nl, n.bridge());
                Links.addAddress(nl, br.index(), br.name(), n.gatewayAddress(), n.range());
                if (owner != null) Links.setAlias(nl, br.index(), br.name(), owner);
            }
            Links.up(nl, br.index(), br.name());
        } catch (SyscallException e) {
            throw new Failure("cannot set up the bridge " + n.bridge() + " of network " + n.name() + ": " + e.getMessage(),
                    e.errno() == jbox.sys.Errnos.EPERM ? "making network devices needs root (CAP_NET_ADMIN)" : "the kernel refused (is the bridge module available?)",
                    "run jbox as root, or use --network none");
        }
        // Locally sent traffic to a port published on 127.0.0.1 is routed to the container with source 127.0.0.1.
        write(Path.of("/proc/sys/net/ipv4/conf", n.bridge(), "route_localnet"), "1");
        if (n.internal()) return;
        if (!Files.readString(FORWARD).trim().equals("1")) {
            Files.createDirectories(RUN);
            Files.writeString(FORWARDING_WAS_OFF, "");
            write(FORWARD, "1");
        }
        if (Firewall.available()) Firewall.ensure();
    }

    /**
     * A jbox process that keeps a bridge while it runs, though no container uses it (the daemon
     * keeps jbox0, so its containers do not each make and delete it). A holder killed with -9
     * leaves its file, which counts for nothing once its process is gone.
     */
    public static void hold(String bridge, boolean on) throws IOException {
        int me = jbox.sys.Sys.getpid();
        Path f = Claims.dir(bridge).resolve(".hold-" + me + "-" + jbox.sys.Processes.startTime(me));
        if (on) {
            Files.createDirectories(f.getParent());
            Files.writeString(f, "");
        } else {
            Files.deleteIfExists(f);
        }
    }

    /** Whether a live process holds the bridge; marks of dead holders are deleted on the way (caller holds the lock). */
    static boolean held(String bridge) throws IOException {
        Path dir = Claims.dir(bridge);
        if (!Files.isDirectory(dir)) return false;
        boolean held = false;
        try (var s = Files.list(dir)) {
            for (Path f : s.toList()) {
                String[] p = f.getFileName().toString().split("-");
                if (p.length != 3 || !p[0].equals(".hold")) continue;
                if (jbox.sys.Processes.isSame(Integer.parseInt(p[1]), Long.parseLong(p[2]))) held = true;
                else Files.deleteIfExists(f);
            }
        }
        return held;
    }

    /** Deletes a bridge and its claims; with the last jbox bridge, the NAT table and forwarding go too (caller holds the lock). */
    static void remove(String bridge) throws IOException {
        try (Netlink nl = Netlink.open()) {
            Links.Link br = Links.find(nl, bridge);
            if (br != null) Links.delete(nl, br.index(), bridge);
        }
        AtomicFiles.deleteTree(Claims.dir(bridge));
        if (jboxBridges().isEmpty()) {
            Firewall.drop();
            if (Files.exists(FORWARDING_WAS_OFF)) {
                write(FORWARD, "0");
                Files.delete(FORWARDING_WAS_OFF);
            }
        }
    }

    /** The names of jbox's bridges on this host. */
    public static List<String> jboxBridges() {
        try (Netlink nl = Netlink.open()) {
            return Links.list(nl).stream().filter(l -> "bridge".equals(l.kind()) && l.name().startsWith("jbox")).map(Links.Link::name).toList();
        }
    }

    private static void write(Path file, String value) throws IOException {
        jbox.sys.Sys.traceLine("write " + file + " \"" + value + "\"");
        Files.writeString(file, value);
    }
}
