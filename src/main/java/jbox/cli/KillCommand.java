package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.EngineException;
import jbox.sys.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "kill", description = "Kill one or more running containers")
final class KillCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-s", "--signal"}, description = "Signal to send to the container (default KILL)") String signal = "KILL";
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public void run() {
        int sig;
        try {
            sig = Signals.parse(signal);
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage(), "signals are named like TERM, SIGKILL, or numbered", "see kill -l for the list");
        }
        Engine engine = Engine.open();
        for (String c : containers) {
            engine.kill(c, sig);
            spec.commandLine().getOut().println(c);
        }
    }
}
