package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;


/** docker port: which host ports lead to a container's ports. */
@Command(name = "port", description = "List port mappings or a specific mapping for the container")
final class PortCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--help", usageHelp = true, description = "Print usage") boolean help;
    @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]") String privatePort;

    @Override
    public void run() {
        JsonNode c = Api.client().call("GET", "/containers/" + ApiClient.seg(container) + "/json", null);
        String wanted = privatePort == null ? null : privatePort.contains("/") ? privatePort : privatePort + "/tcp";
        boolean found = false;
        for (var it = c.path("NetworkSettings").path("Ports").fields(); it.hasNext(); ) {
            var e = it.next();
            if (wanted != null && !wanted.equals(e.getKey())) continue;
            for (JsonNode b : e.getValue()) {
                String host = (b.path("HostIp").asText().isEmpty() ? "0.0.0.0" : b.path("HostIp").asText()) + ":" + b.path("HostPort").asText();
                spec.commandLine().getOut().println(wanted == null ? e.getKey() + " -> " + host : host);
                found = true;
            }
        }
        if (wanted != null && !found) {
            throw new jbox.sys.Failure("No public port '" + wanted + "' published for " + container, "the container does not publish that port (or is not running)",
                    "list its ports with jbox port " + container);
        }
    }
}
