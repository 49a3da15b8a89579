package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.Filters;
import jbox.engine.Engine;
import jbox.engine.Events;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** GET /events: docker events, past ones from since, then new ones as they are recorded, until until or the client leaves. */
final class EventRoutes {
    private static final Set<String> KEYS = Set.of("container", "event", "image", "label", "type", "volume", "network", "daemon", "scope");
    /** How often a followed journal is looked at: events reach a client within this. */
    private static final long POLL_MS = 50;

    private final Engine engine;

    EventRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("GET", "/events", "EventRoutes.events", this::events);
    }

    private void events(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Filters f = Filters.parse(req.query("filters", ""), KEYS);
        long now = System.currentTimeMillis() * 1_000_000L;
        Long sinceAt = req.timeQuery("since"), untilAt = req.timeQuery("until");
        long since = sinceAt == null ? now : sinceAt;
        long until = untilAt == null ? Long.MAX_VALUE : untilAt;
        Events events = engine.events();
        try (OutputStream out = ex.stream(200, "application/json")) {
            boolean[] past = {false};
            java.util.function.Consumer<JsonNode> send = e -> {
                long t = e.path("timeNano").asLong();
                if (t >= since && t <= until && matches(f, e)) JsonMessages.write(out, e);
                if (t > until) past[0] = true;
            };
            Events.Position at = events.readAll(send);
            while (!past[0] && System.currentTimeMillis() * 1_000_000L <= until) {
                sleep();
                at = events.readNew(at, send);
            }
        } catch (java.io.UncheckedIOException e) {
            // the client left
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.UncheckedIOException(new java.io.InterruptedIOException("the daemon stops"));
        }
    }

    /** docker's event filters: each key any of its values, labels all. */
    static boolean matches(Filters f, JsonNode e) {
        String type = e.path("Type").asText();
        String action = e.path("Action").asText();
        String id = e.path("Actor").path("ID").asText();
        JsonNode a = e.path("Actor").path("Attributes");
        String name = a.path("name").asText();
        Map<String, String> attrs = new HashMap<>();
        a.fields().forEachRemaining(x -> attrs.put(x.getKey(), x.getValue().asText()));
        return f.any("type", type::equals)
                && f.any("event", v -> action.equals(v) || action.startsWith(v + ": "))
                && f.any("container", v -> type.equals("container") && (id.startsWith(v) || name.equals(v)))
                && f.any("image", v -> type.equals("image") ? id.equals(v) || name.equals(v) : v.equals(attrs.get("image")))
                && f.any("volume", v -> type.equals("volume") && id.equals(v))
                && f.any("network", v -> type.equals("network") && (id.startsWith(v) || name.equals(v)))
                && f.any("daemon", v -> type.equals("daemon"))
                && f.any("scope", "local"::equals)
                && f.labels(attrs);
    }
}
