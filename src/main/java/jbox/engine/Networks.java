package jbox.engine;

import jbox.sys.Failure;

import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.net.Bridges;
import jbox.net.Claims;
import jbox.net.Ipv4;
import jbox.net.Network;
import jbox.runtime.Names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The networks containers join: docker's three predefined ones (bridge, host, none) and user
 * networks, kept as ROOT/networks/NAME.json. The default bridge is shared by every jbox root on
 * the host and exists only while a container uses it; a user network's bridge lives from
 * `network create` to `network rm`.
 */
public final class Networks {
    static final String DEFAULT_SUBNET = "172.30.0.0/16";

    private final Path dir;
    private final Events events;

    Networks(Path jboxRoot, Events events) {
        this.dir = jboxRoot.resolve("networks");
        this.events = events;
    }

    /** bridge, host, none, then user networks by name. */
    public List<Network> list() throws IOException {
        List<Network> out = new ArrayList<>(List.of(defaultNetwork(), predefined(Network.HOST, "host"), predefined(Network.NONE, "null")));
        out.addAll(userNetworks());
        return out;
    }

    private List<Network> userNetworks() throws IOException {
        List<Network> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                if (f.getFileName().toString().endsWith(".json")) out.add(Json.read(Files.readAllBytes(f), Network.class, "network " + f.getFileName()));
            }
        }
        return out;
    }

    /** A network by name, full id or unique id prefix; a clear 404 otherwise. */
    public Network get(String nameOrId) throws IOException {
        List<Network> all = list();
        for (Network n : all) if (n.name().equals(nameOrId) || n.id().equals(nameOrId)) return n;
        List<Network> byPrefix = nameOrId.length() >= 3 ? all.stream().filter(n -> n.id().startsWith(nameOrId)).toList() : List.of();
        if (byPrefix.size() == 1) return byPrefix.get(0);
        throw new Failure("network " + nameOrId + " not found", "no network has that name or id", "list them with jbox network ls").httpStatus(404);
    }

    /** docker network create: a bridge with its own subnet (given, or the first free one). */
    public Network create(String name, String subnet, String gateway, Map<String, String> labels, boolean internal) throws IOException {
        try {
            Names.validate(name);
        } catch (IllegalArgumentException e) {
            throw new Failure("invalid network name \"" + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "\"",
                    "network names are 1 to " + Names.MAX_LENGTH + " letters, digits and _ . -", "choose another name").httpStatus(400);
        }
        Files.createDirectories(dir);
        try (FileLock ignored = FileLock.acquire(dir.resolve(".lock")); FileLock host = Bridges.lock()) {
            for (Network n : list()) {
                if (n.name().equals(name)) {
                    throw new Failure("network with name " + name + " already exists", "network names are unique", "choose another name, or remove it first (jbox network rm " + name + ")").httpStatus(409);
                }
            }
            Ipv4.Subnet range;
            try {
                range = subnet != null ? Ipv4.Subnet.parse(subnet) : freeSubnet();
            } catch (IllegalArgumentException e) {
                throw new Failure("invalid --subnet: " + e.getMessage(), "the subnet is written in CIDR form", "e.g. --subnet 172.20.0.0/16").httpStatus(400);
            }
            for (Ipv4.Subnet used : usedSubnets()) {
                if (used.overlaps(range)) {
                    throw new Failure("Pool overlaps with other one on this address space: " + range + " overlaps " + used,
                            "another network or a device of this host uses those addresses", "choose another --subnet, or leave it out and jbox picks a free one").httpStatus(403);
                }
            }
            Ipv4 gw;
            try {
                gw = gateway != null ? Ipv4.parse(gateway) : range.host(1);
            } catch (IllegalArgumentException e) {
                throw new Failure("invalid --gateway: " + e.getMessage(), "the gateway is one address", "e.g. --gateway 172.20.0.1").httpStatus(400);
            }
            if (!range.contains(gw) || gw.equals(range.base()) || gw.equals(range.broadcast())) {
                throw new Failure("the gateway " + gw + " is not a host address of " + range, "the gateway is the bridge's own address inside the subnet",
                        "choose one inside it, e.g. " + range.host(1)).httpStatus(400);
            }
            String id = Names.newId();
            Network n = new Network(name, id, "bridge", range.toString(), gw.toString(), "jbox-" + id.substring(0, 10), Instant.now().toString(),
                    labels == null ? Map.of() : labels, internal);
            AtomicFiles.write(dir, file(name), Json.bytes(n));
            try {
                jbox.net.ContainerNetwork.ensureBridge(n, "jbox network " + n.name() + " of " + dir.getParent());
            } catch (RuntimeException e) {
                Files.deleteIfExists(file(name));
                throw e;
            }
            events.emit("network", "create", n.id(), Events.attrs("name", n.name(), "type", "bridge"));
            return n;
        }
    }

    /** docker network rm: refused for the predefined networks and while containers are attached. */
    public void remove(String nameOrId) throws IOException {
        Network n = get(nameOrId);
        if (isPredefined(n)) {
            throw new Failure(n.name() + " is a pre-defined network and cannot be removed", "docker's bridge, host and none always exist",
                    "remove only networks you created").httpStatus(403);
        }
        try (FileLock ignored = FileLock.acquire(dir.resolve(".lock")); FileLock host = Bridges.lock()) {
            List<Claims.Claim> attached = Claims.list(n.bridge());
            if (!attached.isEmpty()) {
                throw new Failure("error while removing network: network " + n.name() + " id " + n.id() + " has active endpoints ("
                        + String.join(", ", attached.stream().map(Claims.Claim::name).toList()) + ")",
                        "running containers are attached to it", "stop or remove them first").httpStatus(403);
            }
            jbox.net.ContainerNetwork.removeBridge(n.bridge());
            Files.deleteIfExists(file(n.name()));
            events.emit("network", "destroy", n.id(), Events.attrs("name", n.name(), "type", "bridge"));
        }
    }

    /** docker network prune: user networks no running container uses. */
    public List<String> prune(java.util.function.Predicate<Network> which) throws IOException {
        List<String> removed = new ArrayList<>();
        for (Network n : userNetworks()) {
            if (!Claims.list(n.bridge()).isEmpty() || !which.test(n)) continue;
            remove(n.name());
            removed.add(n.name());
        }
        return removed;
    }

    public static boolean isPredefined(Network n) {
        return n.name().equals(Network.DEFAULT) || n.name().equals(Network.HOST) || n.name().equals(Network.NONE);
    }

    /** The default bridge network; its subnet is what jbox0 has, when it exists (another root may have made it). */
    Network defaultNetwork() {
        Ipv4.Subnet s = Bridges.subnetOf(Network.DEFAULT_BRIDGE);
        if (s == null) s = Ipv4.Subnet.parse(DEFAULT_SUBNET);
        return new Network(Network.DEFAULT, fixedId(Network.DEFAULT), "bridge", s.toString(), s.host(1).toString(), Network.DEFAULT_BRIDGE, null, Map.of(), false);
    }

    private static Network predefined(String name, String driver) {
        return new Network(name, fixedId(name), driver, null, null, null, null, Map.of(), false);
    }

    private static String fixedId(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(("jbox network " + name).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path file(String name) { return dir.resolve(name + ".json"); }

    private List<Ipv4.Subnet> usedSubnets() throws IOException {
        List<Ipv4.Subnet> used = new ArrayList<>(Bridges.hostSubnets());
        used.add(defaultNetwork().range());
        for (Network n : userNetworks()) used.add(n.range());
        return used;
    }

    /** As docker picks: 172.19-172.29 /16s, then /20s of 192.168.0.0/16, the first that nothing here uses. */
    private Ipv4.Subnet freeSubnet() throws IOException {
        List<Ipv4.Subnet> used = usedSubnets();
        List<Ipv4.Subnet> pool = new ArrayList<>();
        for (int b = 19; b <= 29; b++) pool.add(Ipv4.Subnet.parse("172." + b + ".0.0/16"));
        for (int c = 0; c < 256; c += 16) pool.add(Ipv4.Subnet.parse("192.168." + c + ".0/20"));
        for (Ipv4.Subnet s : pool) if (used.stream().noneMatch(s::overlaps)) return s;
        throw new Failure("no free subnet is left for a new network", "every subnet in jbox's pool is in use", "give one with --subnet").httpStatus(403);
    }
}
