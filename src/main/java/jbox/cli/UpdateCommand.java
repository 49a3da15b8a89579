package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "update", description = "Update the resource limits of one or more containers")
final class UpdateCommand implements Runnable {
    @Spec CommandSpec spec;
    @Mixin ResourceOptions limits;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public void run() {
        Engine engine = Engine.open();
        var changes = limits.resources();
        for (String c : containers) {
            engine.update(c, changes);
            spec.commandLine().getOut().println(c);
        }
    }
}
