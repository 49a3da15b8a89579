package jbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "create", description = "Create a new container (start it with jbox start)")
final class CreateCommand implements Runnable {
    @Spec CommandSpec spec;
    @Mixin ContainerOptions options;

    @Override
    public void run() {
        spec.commandLine().getOut().println(Containers.create(Api.client(), options.request(), options.pull, spec.commandLine().getErr()));
    }
}
