package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** docker system prune: stopped containers, unused networks, untagged images (every unused one with -a), the build cache; volumes with --volumes. */
@Command(name = "prune", description = "Remove stopped containers, unused networks, dangling images and the build cache (volumes with --volumes)")
final class SystemPruneCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--all"}, description = "Remove all unused images, not just dangling ones") boolean all;
    @Option(names = "--volumes", description = "Prune anonymous volumes") boolean volumes;
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
    @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Provide filter values: until=10m, label=KEY[=VALUE], label!=...") List<String> filters = new ArrayList<>();

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        long reclaimed = 0;
        JsonNode c = Api.client().call("POST", "/containers/prune" + Prunes.query(filters), null);
        Prunes.list(out, "Deleted Containers:", c.path("ContainersDeleted"));
        reclaimed += c.path("SpaceReclaimed").asLong();
        JsonNode n = Api.client().call("POST", "/networks/prune" + Prunes.query(filters), null);
        Prunes.list(out, "Deleted Networks:", n.path("NetworksDeleted"));
        if (volumes) {
            List<String> volumeFilters = filters.stream().filter(f -> f.startsWith("label")).toList(); // volumes take no until, as docker's
            JsonNode v = Api.client().call("POST", "/volumes/prune" + Prunes.query(volumeFilters), null);
            Prunes.list(out, "Deleted Volumes:", v.path("VolumesDeleted"));
            reclaimed += v.path("SpaceReclaimed").asLong();
        }
        List<String> imageFilters = new ArrayList<>(filters);
        if (all) imageFilters.add("dangling=false");
        JsonNode i = Api.client().call("POST", "/images/prune" + Prunes.query(imageFilters), null);
        Prunes.images(out, i.path("ImagesDeleted"));
        reclaimed += i.path("SpaceReclaimed").asLong();
        JsonNode b = Api.client().call("POST", "/build/prune", null);
        reclaimed += b.path("SpaceReclaimed").asLong();
        out.println("Total reclaimed space: " + Format.size(reclaimed));
    }
}
