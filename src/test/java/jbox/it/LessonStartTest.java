package jbox.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/** jbox lesson start through a real terminal: steps shown, commands typed, checked, progress saved and resumed. */
class LessonStartTest extends RealEngineTest {
    private Tmux open(String name) throws Exception {
        Requires.that(Tmux.available(), "tmux is installed by ./run-tests");
        return Tmux.open(name, 140, 50, "HOME=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + " lesson start 05-uts --lang en; echo LESSON-EXIT=$?; sleep 60");
    }

    @Test
    void aLearnerCompletesALessonAndCanResumeIt() throws Exception {
        try (Tmux t = open("jbox-lesson")) {
            t.waitFor("-- Step 1/3");
            t.keys("sandbox busybox", "Enter"); // typed by the learner; its table already shows what the step asks for
            t.waitFor("-- Step 2/3");
            t.keys("quit", "Enter");
            t.waitFor("LESSON-EXIT=0");
        }
        assertTrue(Files.readString(jbox.root.resolve(".jbox_lessons")).contains("en/05-uts=1"), "progress saved after step 1");

        try (Tmux t = open("jbox-lesson-2")) {
            t.waitFor("Resuming at step 2");
            t.waitFor("-- Step 2/3");
            t.keys("enter uts wrongname", "Enter");
            t.keys("in hostname", "Enter");
            t.keys("host hostname", "Enter");
            t.waitFor("\u2717 Explain mode should show the call sethostname(\"box1\")");
            // a typo fails its command, not the step
            t.keys("entr uts box1", "Enter");
            t.waitFor("That command failed");
            // the retry works in the sandbox the wrong attempt left (a new name, the same namespace), with explain off too
            t.keys("explain off", "Enter");
            t.keys("enter uts box1", "Enter");
            t.waitFor("-- Step 3/3");
            Eventually.waitFor(() -> t.screen().strip().endsWith("lesson>"), "the lesson's prompt");
            t.keys("Enter");
            t.waitFor("Lesson complete!");
            t.waitFor("LESSON-EXIT=0");
        }
        assertTrue(Files.readString(jbox.root.resolve(".jbox_lessons")).contains("en/05-uts=3"));

        Jbox learner = new Jbox(jbox.root);
        learner.env.put("HOME", jbox.root.toString());
        assertTrue(learner.run("lesson", "list").out().lines().anyMatch(l -> l.matches("05-uts +3/3 \u2713 +The UTS namespace.*")), learner.run("lesson", "list").out());
        assertEquals(0, learner.run("lesson", "reset", "05-uts").code());
        assertTrue(learner.run("lesson", "list").out().lines().anyMatch(l -> l.matches("05-uts +- +The UTS namespace.*")), "reset: from step 1 again");
    }
}
