package jbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.net.Network;
import jbox.net.Networking;
import jbox.net.PortSpec;
import jbox.runtime.ContainerState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Networks and published ports in Docker's JSON: HostConfig.NetworkMode and PortBindings, NetworkSettings, and /networks bodies. */
public final class NetworkJson {
    private NetworkJson() {}

    /** HostConfig.NetworkMode and PortBindings, as the docker CLI sends -p: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}. */
    static void toCreate(Networking n, Map<String, Object> host) {
        host.put("NetworkMode", n.mode());
        host.put("PortBindings", bindings(n.ports()));
    }

    private static Map<String, List<Map<String, String>>> bindings(List<PortSpec> ports) {
        Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
        for (PortSpec p : ports) {
            out.computeIfAbsent(p.containerPort() + "/" + p.proto(), k -> new ArrayList<>())
                    .add(Map.of("HostIp", p.hostIp(), "HostPort", p.hostPort() == 0 ? "" : String.valueOf(p.hostPort())));
        }
        return out;
    }

    /** NetworkingConfig as the docker CLI sends --network-alias: the endpoint of the one network the container joins. */
    static Map<String, Object> networkingConfig(Networking n) {
        return Map.of("EndpointsConfig", n.aliases().isEmpty() ? Map.of() : Map.of(n.mode(), Map.of("Aliases", n.aliases())));
    }

    /**
     * HostConfig's NetworkMode and PortBindings, and the aliases of NetworkingConfig's one endpoint
     * ("default" is docker's word for the bridge network).
     */
    static Networking fromCreate(JsonNode host, JsonNode networkingConfig) {
        String mode = host.path("NetworkMode").asText("");
        if (mode.isEmpty() || mode.equals("default")) mode = Network.DEFAULT;
        List<String> aliases = new ArrayList<>();
        for (var it = networkingConfig.path("EndpointsConfig").fields(); it.hasNext(); ) {
            var e = it.next();
            String named = e.getKey().equals("default") ? Network.DEFAULT : e.getKey(); // the docker CLI names the default network so
            if (!named.equals(mode)) {
                throw ApiErrors.badRequest("NetworkingConfig names network \"" + e.getKey() + "\" but the container joins \"" + mode
                        + "\": a jbox container is on one network, the one HostConfig.NetworkMode names");
            }
            aliases.addAll(endpointAliases(e.getValue()));
        }
        List<PortSpec> ports = new ArrayList<>();
        for (var it = host.path("PortBindings").fields(); it.hasNext(); ) {
            var e = it.next();
            String[] cp = e.getKey().split("/");
            String proto = cp.length > 1 ? cp[1] : "tcp";
            List<JsonNode> hosts = new ArrayList<>();
            e.getValue().forEach(hosts::add);
            if (hosts.isEmpty()) hosts.add(com.fasterxml.jackson.databind.node.NullNode.getInstance());
            for (JsonNode h : hosts) {
                String ip = h.path("HostIp").asText("");
                String hp = h.path("HostPort").asText("");
                try {
                    ports.addAll(PortSpec.parse((ip.isEmpty() ? "" : ip + ":") + (hp.isEmpty() && ip.isEmpty() ? "" : hp + ":") + cp[0] + "/" + proto));
                } catch (IllegalArgumentException ex) {
                    throw ApiErrors.badRequest(ex.getMessage());
                }
            }
        }
        return new Networking(mode, ports, null, aliases);
    }

    /**
     * An EndpointSettings body (create's NetworkingConfig, POST /networks/{id}/connect's EndpointConfig):
     * its Aliases; any other field set (a fixed address, links, driver options) is refused.
     */
    public static List<String> endpointAliases(JsonNode endpoint) {
        endpoint.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("Aliases") && !HostConfigJson.isZero(f.getValue())) {
                throw ApiErrors.badRequest("endpoint setting " + f.getKey() + " is not supported by jbox (" + f.getValue()
                        + "): a container gets the next free address of its network, and finds peers by name and alias");
            }
        });
        return CreateJson.strings(endpoint.get("Aliases"));
    }

    /** docker ps's Ports: [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]. */
    static List<Map<String, Object>> summaryPorts(ContainerState c) {
        List<Map<String, Object>> out = new ArrayList<>();
        Networking.Endpoint e = c.endpoint();
        if (e == null) return out;
        for (PortSpec p : e.ports()) {
            out.add(Map.of("IP", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp(), "PrivatePort", p.containerPort(), "PublicPort", p.hostPort(), "Type", p.proto()));
        }
        return out;
    }

    /** NetworkSettings.Networks: the one network a jbox container is on, with its address while it runs. */
    static Map<String, Object> networks(ContainerState c) {
        Networking n = c.networking();
        Networking.Endpoint e = c.endpoint();
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("NetworkID", e == null ? "" : e.networkId());
        one.put("EndpointID", e == null ? "" : e.hostVeth());
        one.put("Gateway", e == null ? "" : e.gateway());
        one.put("IPAddress", e == null ? "" : e.ip());
        one.put("IPPrefixLen", e == null ? 0 : e.prefix());
        one.put("MacAddress", e == null ? "" : e.mac());
        one.put("Aliases", aliases(c));
        return Map.of(n.mode(), one);
    }

    /** On a user network, docker lists the container's short id and its aliases; on the others, none. */
    private static List<String> aliases(ContainerState c) {
        String mode = c.networking().mode();
        if (List.of(Network.DEFAULT, Network.HOST, Network.NONE).contains(mode)) return null;
        List<String> out = new ArrayList<>(List.of(c.id().substring(0, 12)));
        out.addAll(c.networking().aliases());
        return out;
    }

    /** GET /containers/{id}/json's NetworkSettings (docker port reads Ports from it). */
    static Map<String, Object> settings(ContainerState c) {
        Networking.Endpoint e = c.endpoint();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Bridge", e == null ? "" : e.bridge());
        m.put("SandboxKey", c.pid() > 0 ? "/proc/" + c.pid() + "/ns/net" : "");
        Map<String, Object> ports = new LinkedHashMap<>();
        for (PortSpec p : c.networking().ports()) ports.putIfAbsent(p.containerPort() + "/" + p.proto(), null);
        if (e != null) ports.putAll(bindings(e.ports()));
        m.put("Ports", ports);
        m.put("Gateway", e == null ? "" : e.gateway());
        m.put("IPAddress", e == null ? "" : e.ip());
        m.put("IPPrefixLen", e == null ? 0 : e.prefix());
        m.put("MacAddress", e == null ? "" : e.mac());
        m.put("Networks", networks(c));
        return m;
    }

    /** GET /networks/{id} (and each row of GET /networks). attached: this root's containers on it, by id. */
    public static Map<String, Object> network(Network n, Map<String, ContainerState> attached) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", n.name());
        m.put("Id", n.id());
        m.put("Created", n.created() == null ? "0001-01-01T00:00:00Z" : n.created());
        m.put("Scope", "local");
        m.put("Driver", n.driver());
        m.put("EnableIPv6", false);
        List<Map<String, String>> config = new ArrayList<>();
        if (n.subnet() != null) config.add(Map.of("Subnet", n.subnet(), "Gateway", n.gateway()));
        m.put("IPAM", Map.of("Driver", "default", "Options", Map.of(), "Config", config));
        m.put("Internal", n.internal());
        m.put("Attachable", false);
        m.put("Ingress", false);
        Map<String, Object> containers = new LinkedHashMap<>();
        attached.forEach((id, c) -> {
            Networking.Endpoint e = c.endpoint();
            if (e == null) return;
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("Name", c.name());
            one.put("EndpointID", e.hostVeth());
            one.put("MacAddress", e.mac());
            one.put("IPv4Address", e.ip() + "/" + e.prefix());
            one.put("IPv6Address", "");
            containers.put(id, one);
        });
        m.put("Containers", containers);
        // A user network shows the driver options it was created with, none (clients compare them to
        // their own and recreate a network that differs); the default one names its bridge, as docker0's does.
        m.put("Options", n.isDefault() && n.bridge() != null ? Map.of("com.docker.network.bridge.name", n.bridge()) : Map.of());
        m.put("Labels", n.labels());
        return m;
    }

}
