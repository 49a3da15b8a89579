package jbox.it;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** jbox demo runs start to finish (timed), from a given step, in both languages, and its steps check out. */
class DemoTest extends RealEngineTest {
    private static String plain(String s) { return s.replaceAll("\u001b\\[[0-9;]*[a-zA-Z]", ""); }

    @Test
    void theDemoPlaysStartToFinish() throws Exception {
        var r = jbox.run(300, "demo", "--timed", "0", "--lang", "en");
        assertEquals(0, r.code(), r.all());
        String out = plain(r.out());
        for (int i = 1; i <= 8; i++) assertTrue(out.contains("Step " + i + "/8"), "step " + i + ":\n" + out);
        assertTrue(out.contains("demo-box") && out.contains("killed by the OOM killer") && out.contains("Frozen"), out);
        assertTrue(out.contains("Virtual machines (cited)") && out.contains("not measured"), "the VM column says it is cited");
    }

    @Test
    void itCanStartFromAGivenStepAndSpeaksChinese() throws Exception {
        var r = jbox.run(300, "demo", "--timed", "0", "--from", "5", "--lang", "zh");
        assertEquals(0, r.code(), r.all());
        String out = plain(r.out());
        assertFalse(out.contains("第 4/8"), out);
        assertTrue(out.contains("第 5/8") && out.contains("挂载命名空间"), out);
        assertTrue(out.matches("(?s).*\\n\\s*1 .*sleep 1000.*"), "the replayed steps left PID 1 running:\n" + out);
    }

    @Test
    void theDemoStepsCheckOut() throws Exception {
        var r = jbox.run(300, "lesson", "check", Jbox.HOME.resolve("lessons/demo").toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("2 passed, 0 failed, 0 skipped"), r.out());
    }
}
