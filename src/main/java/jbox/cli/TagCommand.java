package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;

import jbox.image.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** docker tag: another name for an image, e.g. one that says which registry to push it to. */
@Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
final class TagCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]", completionCandidates = Candidates.Images.class) String source;
    @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]") String target;

    @Override
    public void run() {
        Reference to;
        try {
            to = Reference.parse(target);
        } catch (IllegalArgumentException e) {
            throw new jbox.sys.Failure(e.getMessage(), "names are [REGISTRY/]REPOSITORY[:TAG]", "e.g. jbox tag busybox 127.0.0.1:5000/team/busybox:1.0");
        }
        String repo = to.familiarRepository();
        Api.client().call("POST", "/images/" + ApiClient.imageSeg(source) + "/tag?repo=" + URLEncoder.encode(repo, StandardCharsets.UTF_8)
                + "&tag=" + URLEncoder.encode(to.tag() != null ? to.tag() : "latest", StandardCharsets.UTF_8), null);
    }
}
