package jbox.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** jbox lesson check: the course passes in both languages; a broken lesson is reported; one whose registry cannot run is skipped. */
class LessonCheckTest extends RealEngineTest {
    /** Two learners checking the whole course at once on one machine: neither gets in the other's way (ports, addresses, names). */
    @Test
    void everyLessonPassesInBothLanguagesTwiceAtOnce() throws Exception {
        Process first = jbox.start("lesson", "check", Jbox.HOME.resolve("lessons").toString());
        Process second = jbox.start("lesson", "check", Jbox.HOME.resolve("lessons").toString());
        var a = Jbox.capture(first, 1200, "the first lesson check");
        var b = Jbox.capture(second, 1200, "the second lesson check");
        long lessons;
        try (var files = Files.walk(Jbox.HOME.resolve("lessons"))) {
            lessons = files.filter(f -> f.toString().matches(".*/lessons/(en|zh)/\\d\\d-[^/]*\\.md")).count();
        }
        for (var r : java.util.List.of(a, b)) {
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("PASS en/03-containers") && r.out().contains("PASS zh/03-containers"), r.out());
            assertTrue(r.out().contains("PASS en/04-repositories") && r.out().contains("PASS zh/15-daemon"), "the registry and daemon lessons run for real: " + r.out());
            assertTrue(r.out().contains(lessons + " passed, 0 failed, 0 skipped"), "every one of the " + lessons + " lessons ran and passed: " + r.out());
        }
    }

    @Test
    void aMismatchIsReportedWithTheStepAndItsOutput() throws Exception {
        Path dir = Files.createDirectories(jbox.root.resolve("broken/en"));
        Files.writeString(dir.resolve("01-broken.md"), "---\nid: 01-broken\ntitle: Broken\nrequires: root\n---\n## Echo\n```jbox\n"
                + "run --rm busybox echo actual\n```\n```expect\nexpected-words\n```\n");
        Files.writeString(dir.resolve("02-later.md"), "---\nid: 02-later\ntitle: Later\nrequires: registry\n---\n## Its own registry\n```jbox\n"
                + "host echo pushed to $REGISTRY\n```\n```expect\nre: pushed to 127\\.0\\.0\\.1:\\d+$\n```\n");
        Jbox.Result r;
        // A port another learner (or anything) holds is no lesson's business: the registry takes a free one.
        try (java.net.ServerSocket taken = new java.net.ServerSocket(5000, 1, java.net.InetAddress.getLoopbackAddress())) {
            r = jbox.run(300, "lesson", "check", jbox.root.resolve("broken").toString());
        } catch (java.net.BindException alreadyTaken) {
            r = jbox.run(300, "lesson", "check", jbox.root.resolve("broken").toString());
        }
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("FAIL en/01-broken"), r.out());
        assertTrue(r.out().contains("step \"Echo\": expected \"expected-words\" in the output") && r.out().contains("| actual"), r.out());
        assertTrue(r.out().contains("PASS en/02-later"), "$REGISTRY is the lesson's own registry: " + r.out());
        assertTrue(r.out().contains("1 passed, 1 failed, 0 skipped"), r.out());
    }
}
