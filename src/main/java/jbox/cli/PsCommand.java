package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.List;

@Command(name = "ps", description = "List containers")
final class PsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)") boolean all;
    @Option(names = {"-q", "--quiet"}, description = "Only display container IDs") boolean quiet;
    @Option(names = "--no-trunc", description = "Don't truncate output") boolean noTrunc;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Filter output: id, name, label, status, exited, ancestor, network, volume, health, before, since, publish, expose") List<String> filters = new java.util.ArrayList<>();
    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Show the N last created containers (all states)") int last = -1;
    @Option(names = {"-l", "--latest"}, description = "Show the latest created container (all states)") boolean latest;

    @Override
    public void run() {
        int limit = latest ? 1 : last;
        String query = "?all=" + (all || limit > 0 ? 1 : 0) + (limit > 0 ? "&limit=" + limit : "")
                + (filters.isEmpty() ? "" : "&filters=" + jbox.client.ApiClient.seg(jbox.api.Filters.toQuery(filters)));
        JsonNode list = Api.client().call("GET", "/containers/json" + query, null);
        var out = spec.commandLine().getOut();
        if (quiet) {
            list.forEach(c -> out.println(id(c)));
            return;
        }
        List<String[]> rows = Format.rows("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        for (JsonNode c : list) {
            String cmd = c.path("Command").asText();
            rows.add(new String[]{id(c), c.path("Image").asText(), "\"" + (noTrunc ? cmd : Format.truncate(cmd, 20)) + "\"",
                    Format.ago(Instant.ofEpochSecond(c.path("Created").asLong()).toString()), c.path("Status").asText(), ports(c.path("Ports")),
                    c.path("Names").path(0).asText().substring(1)});
        }
        out.print(Format.table(rows));
    }

    /** docker ps's PORTS: 0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp. */
    static String ports(JsonNode ports) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode p : ports) {
            out.add(p.has("PublicPort") ? p.path("IP").asText() + ":" + p.path("PublicPort").asInt() + "->" + p.path("PrivatePort").asInt() + "/" + p.path("Type").asText()
                    : p.path("PrivatePort").asInt() + "/" + p.path("Type").asText());
        }
        return String.join(", ", out);
    }

    private String id(JsonNode c) {
        String id = c.path("Id").asText();
        return noTrunc ? id : id.substring(0, 12);
    }
}
