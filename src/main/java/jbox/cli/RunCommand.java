package jbox.cli;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "run", description = "Create and run a new container from an image", usageHelpAutoWidth = true)
final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ContainerOptions options;
    @Option(names = {"-d", "--detach"}, description = "Run container in background and print container ID") boolean detach;

    @Override
    public Integer call() {
        Engine engine = Engine.open();
        ContainerState c = engine.create(options.request(), spec.commandLine().getErr()::println);
        if (detach) {
            Detached.start(engine, c.id());
            spec.commandLine().getOut().println(c.id());
            return 0;
        }
        return Foreground.run(engine, c, spec.commandLine().getErr());
    }
}
