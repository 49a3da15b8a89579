package jbox.cli;

import jbox.cgroup.Cgroups;
import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;

/** docker info: what this jbox runs on, including which cgroup tree holds each controller. */
@Command(name = "info", description = "Display system-wide information")
final class InfoCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        Engine engine = Engine.open();
        List<ContainerState> all = engine.list(true);
        var out = spec.commandLine().getOut();
        out.println("Containers: " + all.size());
        out.println(" Running: " + all.stream().filter(c -> c.status() == Status.RUNNING && !c.paused()).count());
        out.println(" Paused: " + all.stream().filter(ContainerState::paused).count());
        out.println(" Stopped: " + all.stream().filter(c -> c.status() != Status.RUNNING).count());
        try {
            out.println("Images: " + engine.images().list().size());
        } catch (java.io.IOException e) {
            out.println("Images: ? (" + e.getMessage() + ")");
        }
        out.println("Engine: in this process (no daemon yet)");
        out.println("Root Dir: " + engine.root());
        Cgroups cg = engine.cgroupLayout();
        out.println("Cgroup Version: " + cg.mode());
        cg.controllers().forEach((c, where) -> out.println(" " + c + ": " + where));
        out.println("Kernel Version: " + System.getProperty("os.version"));
        out.println("Architecture: " + jbox.image.ImageBuilder.architecture());
        out.println("CPUs: " + Runtime.getRuntime().availableProcessors());
    }
}
