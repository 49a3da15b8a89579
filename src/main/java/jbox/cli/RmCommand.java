package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "rm", description = "Remove one or more containers")
final class RmCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)") boolean force;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public void run() {
        Engine engine = Engine.open();
        for (String c : containers) {
            engine.remove(c, force);
            spec.commandLine().getOut().println(c);
        }
    }
}
