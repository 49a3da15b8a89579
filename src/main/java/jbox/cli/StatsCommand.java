package jbox.cli;

import jbox.terminal.Candidates;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import jbox.cgroup.Units;
import jbox.client.ApiClient;
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
    @Parameters(paramLabel = "CONTAINER", arity = "0..*", completionCandidates = Candidates.Containers.class) List<String> names = new ArrayList<>();

    @Override
    public void run() {
        ApiClient api = Api.client();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, JsonNode> last = new HashMap<>();
        table(api, last); // the first reading only starts the CPU clock
        boolean clear = !noStream && System.console() != null;
        while (!Thread.currentThread().isInterrupted()) { // Ctrl-C in the shell interrupts
            sleep(noStream ? 500 : 1000);
            String t = table(api, last);
            if (clear) out.print("\033[2J\033[H");
            out.print(t);
            out.flush();
            if (noStream) return;
        }
    }

    private List<String> targets(ApiClient api) {
        if (!names.isEmpty()) return names;
        List<String> out = new ArrayList<>();
        api.call("GET", "/containers/json" + (all ? "?all=1" : ""), null).forEach(c -> out.add(c.path("Id").asText()));
        return out;
    }

    private String table(ApiClient api, Map<String, JsonNode> last) {
        List<String[]> rows = Format.rows("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        for (String name : targets(api)) {
            JsonNode s;
            try {
                s = api.call("GET", "/containers/" + ApiClient.seg(name) + "/stats?stream=0&one-shot=1", null);
            } catch (jbox.sys.Failure e) {
                if (names.isEmpty()) continue; // removed between listing and reading
                throw e;
            }
            JsonNode before = last.put(name, s);
            long cpu = s.path("cpu_stats").path("cpu_usage").path("total_usage").asLong();
            long system = s.path("cpu_stats").path("system_cpu_usage").asLong();
            int cpus = Math.max(1, s.path("cpu_stats").path("online_cpus").asInt(1));
            double pct = 0;
            if (before != null) {
                long dCpu = cpu - before.path("cpu_stats").path("cpu_usage").path("total_usage").asLong();
                long dSystem = system - before.path("cpu_stats").path("system_cpu_usage").asLong();
                if (dSystem > 0 && dCpu >= 0) pct = 100.0 * dCpu / dSystem * cpus;
            }
            JsonNode mem = s.path("memory_stats");
            long usage = mem.path("usage").asLong();
            long limit = mem.path("limit").asLong();
            long read = 0;
            long write = 0;
            for (JsonNode io : s.path("blkio_stats").path("io_service_bytes_recursive")) {
                if (io.path("op").asText().equalsIgnoreCase("read")) read += io.path("value").asLong(); else write += io.path("value").asLong();
            }
            String id = s.path("id").asText();
            rows.add(new String[]{id.substring(0, Math.min(12, id.length())), s.path("name").asText().substring(1), String.format(Locale.ROOT, "%.2f%%", pct),
                    Units.binary(usage) + " / " + Units.binary(limit),
                    String.format(Locale.ROOT, "%.2f%%", limit > 0 ? 100.0 * usage / limit : 0),
                    "0B / 0B", Format.size(read) + " / " + Format.size(write), Long.toString(s.path("pids_stats").path("current").asLong())});
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
