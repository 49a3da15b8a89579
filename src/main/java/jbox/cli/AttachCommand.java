package jbox.cli;

import jbox.terminal.Candidates;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** docker attach: this terminal to a running container's output (and input, if it was started with -i). */
@Command(name = "attach", description = "Attach local standard input, output, and error streams to a running container")
final class AttachCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--no-stdin", description = "Do not attach STDIN") boolean noStdin;
    @Parameters(paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;

    @Override
    public Integer call() {
        ApiClient api = Api.client();
        JsonNode c = Containers.inspect(api, container);
        JsonNode config = c.path("Config");
        spec.commandLine().getOut().flush();
        return Attach.run(api, c.path("Id").asText(), Containers.name(c), config.path("Tty").asBoolean(),
                !noStdin && config.path("OpenStdin").asBoolean(), c.path("HostConfig").path("AutoRemove").asBoolean(), false, spec.commandLine().getErr());
    }
}
