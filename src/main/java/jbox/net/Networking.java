package jbox.net;

import java.util.List;

/**
 * A container's network: what it asked for (--network, -p) and, while it runs, its endpoint.
 *
 * @param mode     the network's name: bridge (the default), host, none, or a user network
 * @param ports    the ports it publishes, as asked (host port 0: any free one)
 * @param endpoint its address and published ports while it runs; null otherwise
 * @param aliases  more names its peers on a user network find it by (--network-alias), besides its name
 */
public record Networking(String mode, List<PortSpec> ports, Endpoint endpoint, List<String> aliases) {
    public static final Networking DEFAULT = new Networking(Network.DEFAULT, List.of(), null, List.of());

    public Networking {
        aliases = aliases == null ? List.of() : List.copyOf(aliases); // null in records made before aliases
    }

    /** Records made before jbox had networks ran with lo only. */
    public static Networking orNone(Networking n) { return n == null ? new Networking(Network.NONE, List.of(), null, List.of()) : n; }

    public Networking withEndpoint(Endpoint e) { return new Networking(mode, ports, e, aliases); }

    /** On another network (docker network disconnect and connect), with the ports it publishes. */
    public Networking on(String network, List<String> newAliases) { return new Networking(network, ports, null, newAliases); }

    /**
     * One container's place on a bridge network.
     *
     * @param hostVeth the host's end of its veth pair (the other end is eth0 inside)
     * @param ports    published ports with the host ports actually used
     */
    public record Endpoint(String network, String networkId, String bridge, String ip, int prefix, String gateway, String mac,
                           String hostVeth, List<PortSpec> ports, String owner) {}
}
