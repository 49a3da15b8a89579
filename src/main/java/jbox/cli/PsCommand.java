package jbox.cli;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "ps", description = "List containers")
final class PsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)") boolean all;
    @Option(names = {"-q", "--quiet"}, description = "Only display container IDs") boolean quiet;
    @Option(names = "--no-trunc", description = "Don't truncate output") boolean noTrunc;

    @Override
    public void run() {
        List<ContainerState> list = Engine.open().list(all);
        var out = spec.commandLine().getOut();
        if (quiet) {
            list.forEach(c -> out.println(noTrunc ? c.id() : c.shortId()));
            return;
        }
        List<String[]> rows = Format.rows("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        for (ContainerState c : reversed(list)) {
            String cmd = String.join(" ", c.args());
            rows.add(new String[]{noTrunc ? c.id() : c.shortId(), c.image(), "\"" + (noTrunc ? cmd : Format.truncate(cmd, 20)) + "\"",
                    Format.ago(c.created()), status(c), "", c.name()});
        }
        out.print(Format.table(rows));
    }

    private static List<ContainerState> reversed(List<ContainerState> l) {
        List<ContainerState> r = new java.util.ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }

    static String status(ContainerState c) {
        return switch (c.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + Format.duration(java.time.Duration.between(java.time.Instant.parse(c.startedAt()), java.time.Instant.now()))
                    + (c.paused() ? " (Paused)" : "");
            case EXITED -> "Exited (" + c.exitCode() + ") " + Format.ago(c.finishedAt())
                    + (c.oomKilled() ? " (" + OomMessage.shortForm(c.limits().memory()) + ")" : "");
        };
    }
}
