package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** docker container prune: removes every stopped container. */
@Command(name = "prune", description = "Remove all stopped containers")
final class ContainerPruneCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
    @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Provide filter values: until=10m, label=KEY[=VALUE], label!=...") java.util.List<String> filters = new java.util.ArrayList<>();

    @Override
    public void run() {
        JsonNode r = Api.client().call("POST", "/containers/prune" + Prunes.query(filters), null);
        var out = spec.commandLine().getOut();
        Prunes.list(out, "Deleted Containers:", r.path("ContainersDeleted"));
        out.println("Total reclaimed space: " + Format.size(r.path("SpaceReclaimed").asLong()));
    }
}
