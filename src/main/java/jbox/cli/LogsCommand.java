package jbox.cli;

import jbox.terminal.Candidates;

import jbox.api.StreamFrames;
import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;

/** docker logs: what the container wrote, kept by jbox in its json log. */
@Command(name = "logs", description = "Fetch the logs of a container")
final class LogsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-f", "--follow"}, description = "Follow log output") boolean follow;
    @Option(names = {"-t", "--timestamps"}, description = "Show timestamps") boolean timestamps;
    @Option(names = {"-n", "--tail"}, description = "Number of lines to show from the end of the logs (default \"all\")") String tail = "all";
    @Option(names = "--since", paramLabel = "TIME", description = "Show logs since a time: 10m, 2026-12-06, an RFC 3339 time or unix seconds") String since;
    @Option(names = "--until", paramLabel = "TIME", description = "Show logs before a time: 10m, 2026-12-06, an RFC 3339 time or unix seconds") String until;
    @Parameters(paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;

    @Override
    public void run() {
        String path = "/containers/" + ApiClient.seg(container) + "/logs?stdout=1&stderr=1&tail=" + tail + (follow ? "&follow=1" : "") + (timestamps ? "&timestamps=1" : "")
                + (since == null ? "" : "&since=" + ApiClient.seg(jbox.api.Timestamps.flag(since, "--since", java.time.Instant.now())))
                + (until == null ? "" : "&until=" + ApiClient.seg(jbox.api.Timestamps.flag(until, "--until", java.time.Instant.now())));
        spec.commandLine().getOut().flush();
        try (ApiClient.Response r = Api.client().open("GET", path, null, false)) {
            Attach.copyOutput(r.body, StreamFrames.RAW.equals(r.headers.get("content-type")));
        } catch (IOException e) {
            throw new jbox.sys.Failure("lost the daemon while reading the logs of " + container + ": " + e.getMessage(), "the daemon stopped", "try again");
        }
    }
}
