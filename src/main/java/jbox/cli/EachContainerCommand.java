package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

/**
 * A command that does one thing to each named container and echoes the name, as docker stop/rm/pause
 * do: a container it cannot act on is reported and the others still get their turn; the command
 * then exits 1, as docker's does.
 */
abstract class EachContainerCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*", completionCandidates = Candidates.Containers.class) List<String> containers;

    abstract void apply(ApiClient api, String container);

    /** Runs once before the containers, e.g. to check flags. */
    void prepare() { }

    @Override
    public Integer call() {
        prepare();
        ApiClient api = Api.client();
        int failed = 0;
        for (String c : containers) {
            try {
                apply(api, c);
                spec.commandLine().getOut().println(c);
            } catch (jbox.sys.Failure e) {
                spec.commandLine().getOut().flush();
                Main.report(spec.commandLine().getErr(), e);
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
