package jbox.cli;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "start", description = "Start one or more stopped containers")
final class StartCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals") boolean attach;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

    @Override
    public Integer call() {
        Engine engine = Engine.open();
        if (attach) {
            if (containers.size() != 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "you cannot start and attach multiple containers at once");
            return Foreground.run(engine, engine.inspect(containers.get(0)), spec.commandLine().getErr());
        }
        for (String name : containers) {
            ContainerState c = engine.inspect(name);
            Detached.start(engine, c.id());
            spec.commandLine().getOut().println(name);
        }
        return 0;
    }
}
