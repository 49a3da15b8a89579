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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker volume: data that outlives containers. */
@Command(name = "volume", description = "Manage volumes",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Inspect.class, VolumeCommand.Rm.class, VolumeCommand.Prune.class})
final class VolumeCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "create", description = "Create a volume")
    static final class Create implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata for a volume") List<String> labels = new ArrayList<>();
        @Parameters(arity = "0..1", paramLabel = "VOLUME") String name;

        @Override
        public void run() {
            Map<String, String> l = new LinkedHashMap<>();
            for (String kv : labels) l.put(kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv, kv.contains("=") ? kv.substring(kv.indexOf('=') + 1) : "");
            JsonNode v = Api.client().call("POST", "/volumes/create", Map.of("Name", name == null ? "" : name, "Labels", l));
            spec.commandLine().getOut().println(v.path("Name").asText());
        }
    }

    @Command(name = "ls", aliases = "list", description = "List volumes")
    static final class Ls implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-q", "--quiet"}, description = "Only display volume names") boolean quiet;

        @Override
        public void run() {
            List<String[]> rows = Format.rows("DRIVER", "VOLUME NAME");
            for (JsonNode v : Api.client().call("GET", "/volumes", null).path("Volumes")) {
                if (quiet) spec.commandLine().getOut().println(v.path("Name").asText());
                else rows.add(new String[]{v.path("Driver").asText(), v.path("Name").asText()});
            }
            if (!quiet) spec.commandLine().getOut().print(Format.table(rows));
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more volumes")
    static final class Inspect implements Runnable {
        @Spec CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "VOLUME") List<String> names;

        @Override
        public void run() {
            List<JsonNode> out = new ArrayList<>();
            for (String n : names) out.add(Api.client().call("GET", "/volumes/" + ApiClient.seg(n), null));
            try {
                spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more volumes (not while a container uses them)")
    static final class Rm implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "Do not fail when the volume does not exist") boolean force;
        @Parameters(arity = "1..*", paramLabel = "VOLUME") List<String> names;

        @Override
        public void run() {
            for (String n : names) {
                try {
                    Api.client().call("DELETE", "/volumes/" + ApiClient.seg(n), null);
                    spec.commandLine().getOut().println(n);
                } catch (jbox.sys.Failure e) {
                    if (!(force && e.httpStatus() == 404)) throw e;
                }
            }
        }
    }

    @Command(name = "prune", description = "Remove unused anonymous volumes (with -a, all unused volumes)")
    static final class Prune implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = {"-a", "--all"}, description = "Remove all unused volumes, not just anonymous ones") boolean all;
        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
        @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Provide filter values: label=KEY[=VALUE], label!=...") java.util.List<String> filters = new java.util.ArrayList<>();

        @Override
        public void run() {
            java.util.List<String> all = new java.util.ArrayList<>(filters);
            if (this.all) all.add("all=true");
            JsonNode r = Api.client().call("POST", "/volumes/prune" + Prunes.query(all), null);
            spec.commandLine().getOut().println("Deleted Volumes:");
            for (JsonNode n : r.path("VolumesDeleted")) spec.commandLine().getOut().println(n.asText());
        }
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
