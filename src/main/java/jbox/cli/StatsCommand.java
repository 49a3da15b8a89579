package jbox.cli;

import jbox.cgroup.Units;
import jbox.cgroup.Usage;
import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docker stats: what each container uses, read from its cgroup's accounting files, refreshed
 * every second. CPU % is CPU time used over wall time elapsed (100% = one whole CPU).
 */
@Command(name = "stats", description = "Display a live stream of container(s) resource usage statistics")
final class StatsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--no-stream", description = "Disable streaming stats and only pull the first result") boolean noStream;
    @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)") boolean all;
    @Parameters(paramLabel = "CONTAINER", arity = "0..*") List<String> names = new ArrayList<>();

    private record Sample(long cpuNanos, long atNanos) {}

    @Override
    public void run() {
        Engine engine = Engine.open();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Sample> last = new HashMap<>();
        table(engine, last); // the first reading only starts the CPU clock
        boolean clear = !noStream && System.console() != null;
        while (!Thread.currentThread().isInterrupted()) { // Ctrl-C in the shell interrupts
            sleep(noStream ? 500 : 1000);
            String t = table(engine, last);
            if (clear) out.print("\033[2J\033[H");
            out.print(t);
            out.flush();
            if (noStream) return;
        }
    }

    private List<ContainerState> targets(Engine engine) {
        if (names.isEmpty()) return engine.list(all);
        List<ContainerState> out = new ArrayList<>();
        for (String n : names) out.add(engine.inspect(n));
        return out;
    }

    private String table(Engine engine, Map<String, Sample> last) {
        List<String[]> rows = Format.rows("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        long hostMemory = jbox.sys.ProcFiles.memTotalBytes();
        for (ContainerState c : targets(engine)) {
            if (c.status() != jbox.runtime.Status.RUNNING) {
                rows.add(new String[]{c.shortId(), c.name(), "0.00%", "0B / 0B", "0.00%", "0B / 0B", "0B / 0B", "0"});
                continue;
            }
            Usage u;
            try {
                u = engine.usage(c);
            } catch (RuntimeException e) {
                continue; // ended between listing and reading
            }
            long now = System.nanoTime();
            Sample before = last.put(c.id(), new Sample(u.cpuNanos(), now));
            double cpu = before == null || now == before.atNanos() ? 0 : 100.0 * (u.cpuNanos() - before.cpuNanos()) / (now - before.atNanos());
            long limit = u.memoryLimit() > 0 ? Math.min(u.memoryLimit(), hostMemory) : hostMemory;
            rows.add(new String[]{c.shortId(), c.name(), String.format(Locale.ROOT, "%.2f%%", cpu),
                    Units.binary(u.memoryUsage()) + " / " + Units.binary(limit),
                    String.format(Locale.ROOT, "%.2f%%", limit > 0 ? 100.0 * u.memoryUsage() / limit : 0),
                    "0B / 0B", Format.size(u.blockRead()) + " / " + Format.size(u.blockWrite()), Long.toString(u.pids())});
        }
        return Format.table(rows);
    }


    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
