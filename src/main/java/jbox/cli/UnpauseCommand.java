package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "unpause", description = "Unpause all processes within one or more containers")
final class UnpauseCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public void run() {
        Engine engine = Engine.open();
        for (String c : containers) {
            engine.unpause(c);
            spec.commandLine().getOut().println(c);
        }
    }
}
