package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

/** A command that does one thing to each named container and echoes the name, as docker stop/rm/pause do. */
abstract class EachContainerCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*", completionCandidates = Candidates.Containers.class) List<String> containers;

    abstract void apply(ApiClient api, String container);

    /** Runs once before the containers, e.g. to check flags. */
    void prepare() { }

    @Override
    public void run() {
        prepare();
        ApiClient api = Api.client();
        for (String c : containers) {
            apply(api, c);
            spec.commandLine().getOut().println(c);
        }
    }
}
