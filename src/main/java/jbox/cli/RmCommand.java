package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rm", description = "Remove one or more containers")
final class RmCommand extends EachContainerCommand {
    @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)") boolean force;

    @Override
    void apply(Engine engine, String container) { engine.remove(container, force); }
}
