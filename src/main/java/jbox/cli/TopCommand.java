package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** docker top: the container's processes (every pid in its cgroup), as the host's ps -f shows them. */
@Command(name = "top", description = "Display the running processes of a container")
final class TopCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "CONTAINER") String container;

    @Override
    public void run() {
        List<Integer> pids = Engine.open().processes(container);
        List<String> cmd = new ArrayList<>(List.of("ps", "-f", "-p", pids.stream().map(String::valueOf).collect(Collectors.joining(","))));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            spec.commandLine().getOut().print(out);
        } catch (IOException e) {
            throw new EngineException("cannot run ps: " + e.getMessage(), "jbox top uses the host's ps (procps)", "install procps");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
