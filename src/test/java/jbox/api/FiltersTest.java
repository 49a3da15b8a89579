package jbox.api;

import jbox.sys.Failure;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class FiltersTest {
    @Test
    void bothOfDockersFormsAreRead() {
        Filters lists = Filters.parse("{\"label\":[\"tier=web\"],\"status\":[\"running\",\"paused\"]}", Set.of("label", "status"));
        Filters maps = Filters.parse("{\"label\":{\"tier=web\":true},\"status\":{\"running\":true,\"paused\":true}}", Set.of("label", "status"));
        for (Filters f : List.of(lists, maps)) {
            assertEquals(List.of("running", "paused"), f.get("status"));
            assertTrue(f.any("status", "paused"::equals));
            assertFalse(f.any("status", "exited"::equals));
            assertTrue(f.labels(Map.of("tier", "web", "x", "y")));
            assertFalse(f.labels(Map.of("tier", "db")));
        }
        assertTrue(Filters.parse("", Set.of()).any("status", v -> false), "no filter keeps everything");
    }

    @Test
    void aKeyTheListDoesNotKnowIsRefusedNotIgnored() {
        Failure e = assertThrows(Failure.class, () -> Filters.parse("{\"colour\":[\"blue\"]}", Set.of("label")));
        assertTrue(e.getMessage().contains("invalid filter 'colour'"), e.getMessage());
        assertEquals(400, e.httpStatus());
        assertThrows(Failure.class, () -> Filters.parse("not json", Set.of("label")));
    }

    @Test
    void labelsAllHoldAndNegatedOnesAllFail() {
        Filters f = Filters.parse(Filters.toQuery(List.of("label=a", "label=b=2", "label!=c")), Filters.PRUNE);
        assertTrue(f.labels(Map.of("a", "", "b", "2")));
        assertFalse(f.labels(Map.of("a", "", "b", "3")), "b must be 2");
        assertFalse(f.labels(Map.of("a", "", "b", "2", "c", "x")), "label!=c refuses what has c");
    }

    @Test
    void untilTakesADurationOrATime() {
        Filters tenMinutes = Filters.parse("{\"until\":[\"10m\"]}", Filters.PRUNE);
        assertTrue(tenMinutes.createdBefore(Instant.now().minusSeconds(3600).toString()));
        assertFalse(tenMinutes.createdBefore(Instant.now().toString()));
        Filters at = Filters.parse("{\"until\":[\"1700000000\"]}", Filters.PRUNE);
        assertTrue(at.createdBefore("2023-01-01T00:00:00Z"));
        assertFalse(at.createdBefore("2024-01-01T00:00:00Z"));
    }

    @Test
    void timesAreReadAsTheApiAndTheCliWriteThem() {
        assertEquals(1_700_000_000_500_000_000L, Timestamps.apiNanos("1700000000.5", "since"));
        assertEquals(1_700_000_000_000_000_001L, Timestamps.apiNanos("1700000000.000000001", "since"));
        assertEquals(1_700_000_000_000_000_000L, Timestamps.apiNanos("2023-11-14T22:13:20Z", "since"));
        assertThrows(Failure.class, () -> Timestamps.apiNanos("yesterday", "since"));
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        assertEquals("1796551200.000000000", Timestamps.flag("2026-12-06T10:00:00Z", "--since", now));
        assertEquals("1796550600.000000000", Timestamps.flag("10m", "--since", now));
        assertEquals("1796547600.000000000", Timestamps.flag("1h", "--since", now));
        assertEquals("1733472000", Timestamps.flag("1733472000", "--since", now), "unix seconds pass as they are");
        assertThrows(Failure.class, () -> Timestamps.flag("soon", "--since", now));
    }
}
