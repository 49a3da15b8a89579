package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.text.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;

/** docker system df: what images, containers, volumes and the build cache hold on disk, and what could go. */
@Command(name = "df", description = "Show jbox disk usage")
final class SystemDfCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        JsonNode df = Api.client().call("GET", "/system/df", null);
        List<String[]> rows = Format.rows("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");

        long imagesReclaimable = 0;
        int imagesActive = 0;
        for (JsonNode i : df.path("Images")) {
            if (i.path("Containers").asInt() > 0) imagesActive++;
            else imagesReclaimable += i.path("Size").asLong() - Math.max(0, i.path("SharedSize").asLong());
        }
        rows.add(row("Images", df.path("Images").size(), imagesActive, df.path("LayersSize").asLong(), imagesReclaimable));

        long containersSize = 0, containersReclaimable = 0;
        int containersActive = 0;
        for (JsonNode c : df.path("Containers")) {
            long rw = c.path("SizeRw").asLong();
            containersSize += rw;
            if (c.path("State").asText().equals("running") || c.path("State").asText().equals("paused")) containersActive++;
            else containersReclaimable += rw;
        }
        rows.add(row("Containers", df.path("Containers").size(), containersActive, containersSize, containersReclaimable));

        long volumesSize = 0, volumesReclaimable = 0;
        int volumesActive = 0;
        for (JsonNode v : df.path("Volumes")) {
            long size = v.path("UsageData").path("Size").asLong();
            volumesSize += size;
            if (v.path("UsageData").path("RefCount").asInt() > 0) volumesActive++;
            else volumesReclaimable += size;
        }
        rows.add(row("Local Volumes", df.path("Volumes").size(), volumesActive, volumesSize, volumesReclaimable));

        long cacheSize = 0;
        for (JsonNode b : df.path("BuildCache")) cacheSize += b.path("Size").asLong();
        rows.add(row("Build Cache", df.path("BuildCache").size(), 0, cacheSize, cacheSize));
        spec.commandLine().getOut().print(Format.table(rows));
    }

    /** docker's row: RECLAIMABLE with its share of SIZE in percent. */
    private static String[] row(String type, int total, int active, long size, long reclaimable) {
        String pct = size > 0 ? " (" + Math.round(100.0 * reclaimable / size) + "%)" : "";
        return new String[]{type, Integer.toString(total), Integer.toString(active), Format.size(size), Format.size(reclaimable) + pct};
    }
}
