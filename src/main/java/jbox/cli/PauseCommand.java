package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;

@Command(name = "pause", description = "Pause all processes within one or more containers (cgroup freezer)")
final class PauseCommand extends EachContainerCommand {
    @Override
    void apply(Engine engine, String container) { engine.pause(container); }
}
