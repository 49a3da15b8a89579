package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.Filters;
import jbox.api.Timestamps;
import jbox.client.ApiClient;
import jbox.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** docker events: what happens to containers, images, volumes and networks, as it happens. */
@Command(name = "events", description = "Get real time events from the engine")
final class EventsCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--since", paramLabel = "TIME", description = "Show events since a time: 10m, 2026-12-06, an RFC 3339 time or unix seconds") String since;
    @Option(names = "--until", paramLabel = "TIME", description = "Stream events until this time") String until;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Filter: container, event, image, label, type, volume, network") List<String> filters = new ArrayList<>();
    @Option(names = "--format", paramLabel = "FORMAT", description = "\"json\": one JSON object per line, as the API sends them") String format;

    @Override
    public void run() {
        if (format != null && !format.equals("json") && !format.equals("{{json .}}")) {
            throw new jbox.sys.Failure("unsupported --format \"" + format + "\"", "jbox prints events as docker's default lines, or as JSON", "use --format json");
        }
        Instant now = Instant.now();
        List<String> q = new ArrayList<>();
        if (since != null) q.add("since=" + ApiClient.seg(Timestamps.flag(since, "--since", now)));
        if (until != null) q.add("until=" + ApiClient.seg(Timestamps.flag(until, "--until", now)));
        if (!filters.isEmpty()) q.add("filters=" + ApiClient.seg(Filters.toQuery(filters)));
        var out = spec.commandLine().getOut();
        try (ApiClient.Response r = Api.client().open("GET", "/events" + (q.isEmpty() ? "" : "?" + String.join("&", q)), null, false)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(r.body, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                out.println(format != null ? line : line(Json.MAPPER.readTree(line)));
                out.flush();
            }
        } catch (IOException e) {
            throw new jbox.sys.Failure("lost the daemon while reading events: " + e.getMessage(), "the daemon stopped", "try again");
        }
    }

    /** docker's line: 2026-12-06T10:00:00.123456789Z container start ID (image=busybox, name=web). */
    static String line(JsonNode e) {
        long nanos = e.path("timeNano").asLong();
        Instant t = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        Map<String, String> attrs = new TreeMap<>();
        e.path("Actor").path("Attributes").fields().forEachRemaining(a -> attrs.put(a.getKey(), a.getValue().asText()));
        List<String> kv = new ArrayList<>();
        attrs.forEach((k, v) -> kv.add(k + "=" + v));
        return t + " " + e.path("Type").asText() + " " + e.path("Action").asText() + " " + e.path("Actor").path("ID").asText()
                + (kv.isEmpty() ? "" : " (" + String.join(", ", kv) + ")");
    }
}
