package jbox.engine;

import jbox.io.FileLock;
import jbox.net.Network;
import jbox.runtime.ContainerState;
import jbox.sys.Failure;

import java.io.IOException;
import java.util.List;

/**
 * docker network connect and disconnect. A jbox container is on one network, and its devices
 * are made when it starts: these choose the network (and its aliases) a container that is not
 * running joins at its next start. Disconnected, it is on "none" (lo only) until connected.
 */
public final class NetworkAttachments {
    private final Engine engine;

    NetworkAttachments(Engine engine) { this.engine = engine; }

    public void connect(String container, String networkName, List<String> aliases) {
        Network network = network(networkName);
        String id = change(container, "connect", s -> {
            String now = s.networking().mode();
            if (now.equals(network.name())) {
                throw new Failure("endpoint with name " + s.name() + " already exists in network " + network.name(), null,
                        "disconnect it first: jbox network disconnect " + network.name() + " " + s.name()).httpStatus(403);
            }
            if (!now.equals(Network.NONE)) {
                throw new Failure("container " + s.name() + " is on network " + now + ", and a jbox container joins one network",
                        "jbox gives each container one network interface", "disconnect it first: jbox network disconnect " + now + " " + s.name())
                        .httpStatus(409);
            }
            checkAliases(network, aliases, "connect it to a network made with jbox network create");
            return s.withNetwork(s.networking().on(network.name(), aliases));
        });
        networkEvent("connect", network, id);
    }

    /** Docker's rule: names peers find a container by exist only on user networks. */
    static void checkAliases(Network network, List<String> aliases, String fix) {
        if (!aliases.isEmpty() && (network.isDefault() || !network.hasBridge())) {
            throw new Failure("network-scoped aliases are supported only for containers on user-defined networks (not on " + network.name() + ")",
                    "peers on the default bridge, host or none find no one by name", fix).httpStatus(400);
        }
    }

    private void networkEvent(String action, Network network, String containerId) {
        engine.events().emit("network", action, network.id(), Events.attrs("container", containerId, "name", network.name(), "type", "bridge"));
    }

    public void disconnect(String container, String networkName) {
        Network network = network(networkName);
        String id = change(container, "disconnect", s -> {
            if (!s.networking().mode().equals(network.name())) {
                throw new Failure("container " + s.name() + " is not connected to network " + network.name(), "it is on " + s.networking().mode(),
                        "see its network with jbox inspect " + s.name()).httpStatus(403);
            }
            return s.withNetwork(s.networking().on(Network.NONE, List.of()));
        });
        networkEvent("disconnect", network, id);
    }

    private Network network(String name) {
        try {
            return engine.networks().get(name);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the networks");
        }
    }

    /** Saves how's change of a container that is not running; returns its id. */
    private String change(String container, String verb, java.util.function.UnaryOperator<ContainerState> how) {
        ContainerState s = engine.lifecycle().inspect(container);
        try (FileLock ignored = engine.containers().lock(s.id())) {
            ContainerState now = engine.containers().load(s.id());
            if (now.status().hasProcess()) {
                throw new Failure("cannot " + verb + " container " + s.name() + " while it runs",
                        "jbox makes a container's network devices when it starts, and changes them only then",
                        "stop it, " + verb + " it, and start it again").httpStatus(409);
            }
            engine.containers().save(how.apply(now));
            return s.id();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot " + verb + " container " + s.name());
        }
    }
}
