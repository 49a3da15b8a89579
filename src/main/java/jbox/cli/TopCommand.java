package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** docker top: the container's processes (every pid in its cgroup), as the host's ps -f shows them. */
@Command(name = "top", description = "Display the running processes of a container")
final class TopCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;
    @Parameters(index = "1..*", paramLabel = "PS OPTIONS", description = "Options for ps (default -ef), as docker top takes them") List<String> psOptions = new ArrayList<>();

    @Override
    public void run() {
        String query = psOptions.isEmpty() ? "" : "?ps_args=" + ApiClient.seg(String.join(" ", psOptions));
        JsonNode top = Api.client().call("GET", "/containers/" + ApiClient.seg(container) + "/top" + query, null);
        List<String[]> rows = new ArrayList<>();
        rows.add(strings(top.path("Titles")));
        for (JsonNode p : top.path("Processes")) rows.add(strings(p));
        spec.commandLine().getOut().print(Format.table(rows));
    }

    private static String[] strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out.toArray(new String[0]);
    }
}
