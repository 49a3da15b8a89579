package jbox.cli;

import jbox.terminal.Candidates;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** docker commit: a container's changes become a new image (one more layer on its image). */
@Command(name = "commit", description = "Create a new image from a container's changes")
final class CommitCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--author"}, description = "Author (e.g. \"Ada <ada@example.org>\")") String author = "";
    @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION", description = "Apply a Dockerfile instruction to the image's config, e.g. 'CMD [\"sh\"]'") List<String> changes = new ArrayList<>();
    @Option(names = {"-m", "--message"}, description = "Commit message") String message = "";
    @Option(names = {"-p", "--pause"}, arity = "1", defaultValue = "true", description = "Pause the container during the commit (default true)") boolean pause;
    @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;
    @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String name;

    @Override
    public void run() {
        StringBuilder q = new StringBuilder("/commit?container=").append(enc(container));
        if (name != null) {
            jbox.image.Reference ref;
            try {
                ref = jbox.image.Reference.parse(name);
            } catch (IllegalArgumentException e) {
                throw new jbox.sys.Failure(e.getMessage(), "names are [REGISTRY/]REPOSITORY[:TAG]", "e.g. jbox commit web my/web:v2");
            }
            q.append("&repo=").append(enc(ref.familiarRepository())).append("&tag=").append(enc(ref.tag() == null ? "latest" : ref.tag()));
        }
        for (String c : changes) q.append("&changes=").append(enc(c));
        q.append("&comment=").append(enc(message)).append("&author=").append(enc(author)).append("&pause=").append(pause ? "1" : "0");
        var reply = Api.client().call("POST", q.toString(), java.util.Map.of());
        spec.commandLine().getOut().println(reply.path("Id").asText());
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
