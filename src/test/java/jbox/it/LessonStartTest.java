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
            t.waitFor("\u2717 expected");
            t.keys("discard", "Enter");
            t.keys("sandbox busybox", "Enter");
            // Enter on an empty line at the prompt types the step's next command ("lesson> CMD"); a new prompt
            // follows once it has run. Each Enter waits for the prompt the one before brought, until the step passes.
            for (int i = 0; i < 6 && !t.screen().contains("-- Step 3/3"); i++) {
                Eventually.waitFor(() -> t.screen().strip().endsWith("lesson>"), "the lesson's prompt");
                long prompts = t.screen().lines().filter(l -> l.startsWith("lesson>")).count();
                t.keys("Enter");
                Eventually.waitFor(() -> t.screen().lines().filter(l -> l.startsWith("lesson>")).count() >= prompts + 2, "the typed command to run");
            }
            t.waitFor("-- Step 3/3");
            Eventually.waitFor(() -> t.screen().strip().endsWith("lesson>"), "the lesson's prompt");
            t.keys("Enter");
            t.waitFor("Lesson complete!");
            t.waitFor("LESSON-EXIT=0");
        }
        assertTrue(Files.readString(jbox.root.resolve(".jbox_lessons")).contains("en/05-uts=3"));
    }
}
