package jbox.cli;

import jbox.client.ApiClient;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "rmi", description = "Remove one or more images")
final class RmiCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-f", "--force"}, description = "Force removal of the image") boolean force;
    @Parameters(paramLabel = "IMAGE", arity = "1..*") List<String> images;

    @Override
    public void run() {
        ApiClient api = Api.client();
        for (String i : images) {
            for (JsonNode n : api.call("DELETE", "/images/" + ApiClient.imageSeg(i) + (force ? "?force=1" : ""), null)) {
                n.fields().forEachRemaining(e -> spec.commandLine().getOut().println(e.getKey() + ": " + e.getValue().asText()));
            }
        }
    }
}
