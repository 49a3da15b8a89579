package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.api.NetworkJson;
import jbox.engine.Engine;
import jbox.net.Network;
import jbox.runtime.ContainerState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker network create, ls, inspect, rm and prune. */
final class NetworkRoutes {
    private final Engine engine;

    NetworkRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("GET", "/networks", "NetworkRoutes.list", this::list)
                .add("POST", "/networks/create", "NetworkRoutes.create", this::create)
                .add("POST", "/networks/prune", "NetworkRoutes.prune", this::prune)
                .add("GET", "/networks/{id}", "NetworkRoutes.inspect", this::inspect)
                .add("DELETE", "/networks/{id}", "NetworkRoutes.remove", this::remove)
                .add("POST", "/networks/{id}/connect", "NetworkRoutes.connect", this::connect)
                .add("POST", "/networks/{id}/disconnect", "NetworkRoutes.disconnect", this::disconnect);
    }

    /** This root's running containers on the network, by id. */
    private Map<String, ContainerState> attached(Network n) {
        Map<String, ContainerState> out = new LinkedHashMap<>();
        for (ContainerState c : engine.lifecycle().list(false)) {
            if (c.endpoint() != null && c.endpoint().networkId().equals(n.id())) out.put(c.id(), c);
        }
        return out;
    }

    private void list(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Network n : engine.networks().list()) out.add(NetworkJson.network(n, attached(n)));
        ex.json(200, out);
    }

    private void create(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        JsonNode b = req.json();
        String driver = b.path("Driver").asText("bridge");
        if (!driver.isEmpty() && !driver.equals("bridge")) {
            throw ApiErrors.badRequest("network driver \"" + driver + "\" is not supported: jbox makes bridge networks only");
        }
        String name = b.path("Name").asText("");
        if (name.isEmpty()) throw ApiErrors.badRequest("a network needs a name");
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode config = b.path("IPAM").path("Config");
        if (config.size() > 1) throw ApiErrors.badRequest("jbox gives a network one subnet; " + config.size() + " were asked for");
        String subnet = config.path(0).path("Subnet").asText("");
        String gateway = config.path(0).path("Gateway").asText("");
        if (b.path("Options").size() > 0) {
            throw ApiErrors.badRequest("network driver options are not supported by jbox (" + b.path("Options")
                    + "): its bridge networks take none; remove driver_opts or --opt");
        }
        if (b.path("EnableIPv6").asBoolean(false)) throw ApiErrors.badRequest("IPv6 networks are not supported by jbox (IPv4 only)");
        Network n = engine.networks().create(name, subnet.isEmpty() ? null : subnet, gateway.isEmpty() ? null : gateway, labels,
                b.path("Internal").asBoolean(false));
        ex.json(201, Map.of("Id", n.id(), "Warning", ""));
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Network n = engine.networks().get(p.get("id"));
        ex.json(200, NetworkJson.network(n, attached(n)));
    }

    private void remove(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.networks().remove(p.get("id"));
        ex.empty(204);
    }

    /** docker network connect: {"Container": ID, "EndpointConfig": {"Aliases": [...]}}. */
    private void connect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        JsonNode b = req.json();
        engine.networkAttachments().connect(container(b), p.get("id"), NetworkJson.endpointAliases(b.path("EndpointConfig")));
        ex.empty(200);
    }

    /** docker network disconnect: {"Container": ID, "Force": false}. */
    private void disconnect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        JsonNode b = req.json();
        engine.networkAttachments().disconnect(container(b), p.get("id"));
        ex.empty(200);
    }

    private static String container(JsonNode b) {
        String c = b.path("Container").asText("");
        if (c.isEmpty()) throw ApiErrors.badRequest("no container given (\"Container\" is empty)");
        return c;
    }

    private void prune(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        jbox.api.Filters f = jbox.api.Filters.parse(req.query("filters", ""), jbox.api.Filters.PRUNE);
        ex.json(200, Map.of("NetworksDeleted", engine.networks().prune(n -> f.labels(n.labels()) && f.createdBefore(n.created()))));
    }
}
