package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** docker image prune: images no container uses; the untagged ones, or all with -a. */
@Command(name = "prune", description = "Remove unused images (untagged ones; with -a, every image no container uses)")
final class ImagePruneCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--all"}, description = "Remove all unused images, not just untagged ones") boolean all;
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
    @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Provide filter values: until=10m, label=KEY[=VALUE], label!=...") List<String> filters = new ArrayList<>();

    @Override
    public void run() {
        List<String> all = new ArrayList<>(filters);
        if (this.all) all.add("dangling=false");
        JsonNode r = Api.client().call("POST", "/images/prune" + Prunes.query(all), null);
        var out = spec.commandLine().getOut();
        Prunes.images(out, r.path("ImagesDeleted"));
        out.println("Total reclaimed space: " + Format.size(r.path("SpaceReclaimed").asLong()));
    }
}
