package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.Errors;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "logs", description = "Fetch the output of a container started with -d")
final class LogsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER") String container;

    @Override
    public void run() {
        Engine engine = Engine.open();
        ContainerState c = engine.inspect(container);
        Path log = engine.containers().dirOf(c.id()).resolve("container.log");
        try {
            if (Files.exists(log)) {
                spec.commandLine().getOut().print(Files.readString(log));
                spec.commandLine().getOut().flush();
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the log of " + container);
        }
    }
}
