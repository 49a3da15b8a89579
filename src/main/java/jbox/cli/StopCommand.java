package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "stop", description = "Stop one or more running containers (SIGTERM, then SIGKILL after a grace period)")
final class StopCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-t", "--time", "--timeout"}, description = "Seconds to wait before killing it (default 10)") int seconds = 10;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public void run() {
        Engine engine = Engine.open();
        for (String c : containers) {
            engine.stop(c, seconds);
            spec.commandLine().getOut().println(c);
        }
    }
}
