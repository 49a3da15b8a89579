package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import jbox.image.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.List;

@Command(name = "images", description = "List images")
final class ImagesCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-q", "--quiet"}, description = "Only show image IDs") boolean quiet;
    @Option(names = "--no-trunc", description = "Don't truncate output") boolean noTrunc;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Filter output: reference, dangling, label, before, since") List<String> filters = new java.util.ArrayList<>();
    @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "Only images of this repository (and tag)") String repository;

    @Override
    public void run() {
        List<String> all = new java.util.ArrayList<>(filters);
        if (repository != null) all.add("reference=" + repository);
        JsonNode images = Api.client().call("GET", "/images/json" + (all.isEmpty() ? "" : "?filters=" + jbox.client.ApiClient.seg(jbox.api.Filters.toQuery(all))), null);
        var out = spec.commandLine().getOut();
        if (quiet) {
            images.forEach(i -> out.println(id(i)));
            return;
        }
        List<String[]> rows = Format.rows("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (JsonNode i : images) {
            JsonNode tag = i.path("RepoTags").path(0);
            Reference ref = tag.isMissingNode() ? null : Reference.parse(tag.asText());
            rows.add(new String[]{ref == null ? "<none>" : ref.familiarRepository(), ref == null || ref.tag() == null ? "<none>" : ref.tag(),
                    id(i), Format.ago(Instant.ofEpochSecond(i.path("Created").asLong()).toString()), Format.size(i.path("Size").asLong())});
        }
        out.print(Format.table(rows));
    }

    private String id(JsonNode i) {
        String id = i.path("Id").asText();
        return noTrunc ? id : id.substring(7, 19);
    }
}
