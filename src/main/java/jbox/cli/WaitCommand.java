package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

/** docker wait: blocks until each container stops, then prints its exit code. */
@Command(name = "wait", description = "Block until one or more containers stop, then print their exit codes")
final class WaitCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*", completionCandidates = Candidates.Containers.class) List<String> containers;

    @Override
    public void run() {
        ApiClient api = Api.client();
        for (String c : containers) {
            spec.commandLine().getOut().println(api.call("POST", "/containers/" + ApiClient.seg(c) + "/wait", null).path("StatusCode").asInt());
            spec.commandLine().getOut().flush();
        }
    }
}
