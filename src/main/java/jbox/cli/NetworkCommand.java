package jbox.cli;

import jbox.client.ApiClient;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import jbox.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker network: bridges with their own subnets that containers join. */
@Command(name = "network", description = "Manage networks",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Rm.class, NetworkCommand.Prune.class})
final class NetworkCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "create", description = "Create a network: a Linux bridge with its own subnet; its containers reach each other by name")
    static final class Create implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-d", "--driver"}, description = "Driver to manage the network (bridge)") String driver = "bridge";
        @Option(names = "--subnet", paramLabel = "CIDR", description = "Subnet in CIDR format, e.g. 172.20.0.0/16 (default: the first free one)") String subnet;
        @Option(names = "--gateway", paramLabel = "IP", description = "Gateway for the subnet (default: its first address)") String gateway;
        @Option(names = "--internal", description = "Restrict external access to the network (no NAT)") boolean internal;
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata on a network") List<String> labels = new ArrayList<>();
        @Parameters(paramLabel = "NETWORK") String name;

        @Override
        public void run() {
            Map<String, String> l = new LinkedHashMap<>();
            for (String kv : labels) l.put(kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv, kv.contains("=") ? kv.substring(kv.indexOf('=') + 1) : "");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Name", name);
            body.put("Driver", driver);
            body.put("Internal", internal);
            body.put("Labels", l);
            Map<String, String> config = new LinkedHashMap<>();
            if (subnet != null) config.put("Subnet", subnet);
            if (gateway != null) config.put("Gateway", gateway);
            body.put("IPAM", Map.of("Driver", "default", "Config", config.isEmpty() ? List.of() : List.of(config)));
            spec.commandLine().getOut().println(Api.client().call("POST", "/networks/create", body).path("Id").asText());
        }
    }

    @Command(name = "ls", aliases = "list", description = "List networks")
    static final class Ls implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-q", "--quiet"}, description = "Only display network IDs") boolean quiet;
        @Option(names = "--no-trunc", description = "Do not truncate the output") boolean noTrunc;

        @Override
        public void run() {
            List<String[]> rows = Format.rows("NETWORK ID", "NAME", "DRIVER", "SCOPE");
            for (JsonNode n : Api.client().call("GET", "/networks", null)) {
                String id = noTrunc ? n.path("Id").asText() : n.path("Id").asText().substring(0, 12);
                if (quiet) spec.commandLine().getOut().println(id);
                else rows.add(new String[]{id, n.path("Name").asText(), n.path("Driver").asText(), n.path("Scope").asText()});
            }
            if (!quiet) spec.commandLine().getOut().print(Format.table(rows));
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more networks, with each container's address")
    static final class Inspect implements Runnable {
        @Spec CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> names;

        @Override
        public void run() {
            List<JsonNode> out = new ArrayList<>();
            for (String n : names) out.add(Api.client().call("GET", "/networks/" + ApiClient.seg(n), null));
            try {
                spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more networks (not while containers are attached)")
    static final class Rm implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "Do not fail when the network does not exist") boolean force;
        @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> names;

        @Override
        public void run() {
            for (String n : names) {
                try {
                    Api.client().call("DELETE", "/networks/" + ApiClient.seg(n), null);
                    spec.commandLine().getOut().println(n);
                } catch (jbox.sys.Failure e) {
                    if (!(force && e.httpStatus() == 404)) throw e;
                }
            }
        }
    }

    @Command(name = "prune", description = "Remove all networks no running container uses")
    static final class Prune implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
        @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Provide filter values: until=10m, label=KEY[=VALUE], label!=...") java.util.List<String> filters = new java.util.ArrayList<>();

        @Override
        public void run() {
            JsonNode r = Api.client().call("POST", "/networks/prune" + Prunes.query(filters), null);
            spec.commandLine().getOut().println("Deleted Networks:");
            for (JsonNode n : r.path("NetworksDeleted")) spec.commandLine().getOut().println(n.asText());
        }
    }

}
