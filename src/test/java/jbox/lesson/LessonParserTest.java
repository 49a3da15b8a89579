package jbox.lesson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class LessonParserTest {
    @TempDir Path tmp;

    @Test
    void aLessonFileGivesStepsWithCommandsExpectationsHintsAndWhy() throws Exception {
        Path f = tmp.resolve("07-demo.md");
        Files.writeString(f, """
                ---
                id: 07-demo
                title: A demo
                requires: root, daemon
                ---
                # Ignored when the front matter has a title

                Intro text.

                ## First step

                Do this.

                ```jbox
                # a comment
                sandbox busybox
                in hostname
                ```

                ```expect
                box
                re: \\d+
                ```

                > **Hint:** look closely.

                **Why it matters:** it does.

                ## Second step

                ```jbox
                discard
                ```
                """);
        Lesson l = LessonParser.parse(f, "en");
        assertEquals("07-demo", l.id());
        assertEquals("A demo", l.title());
        assertEquals(Set.of("root", "daemon"), l.requires());
        assertEquals("Intro text.", l.intro().lines().filter(s -> !s.startsWith("#")).filter(s -> !s.isBlank()).findFirst().orElse(""));
        assertEquals(2, l.steps().size());
        Lesson.Step s = l.steps().get(0);
        assertEquals("First step", s.title());
        assertEquals(List.of("sandbox busybox", "in hostname"), s.commands());
        assertEquals(List.of("box", "re: \\d+"), s.expect());
        assertEquals(List.of("look closely."), s.hints());
        assertEquals("it does.", s.why());
        assertEquals(List.of("discard"), l.steps().get(1).commands());
    }

    @Test
    void outputIsSplitAtPromptsAndCheckedPerStep() throws Exception {
        Path f = tmp.resolve("x.md");
        Files.writeString(f, "## One\n```jbox\nin hostname\n```\n```expect\nbox1\nnot: error\n```\n## Two\n```jbox\nhost hostname\n```\n```expect\nre: ^vm$\n```\n");
        Lesson l = LessonParser.parse(f, "en");
        String session = "jbox[box uts]> in hostname\nbox1\njbox[box uts]> host hostname\nother\n";
        List<LessonChecker.StepResult> r = LessonChecker.judge(l, session);
        assertTrue(r.get(0).passed(), r.get(0).problem());
        assertFalse(r.get(1).passed());
        assertEquals("expected output matching /^vm$/", r.get(1).problem());
        List<LessonChecker.StepResult> stopped = LessonChecker.judge(l, "jbox> in hostname\nboom\njbox shell: stopped at \"in hostname\" (exit code 1)\n");
        assertFalse(stopped.get(0).passed());
        assertTrue(stopped.get(1).problem().contains("did not run"), stopped.get(1).problem());
    }

    @Test
    void aFileWithoutStepsIsRefusedClearly() throws Exception {
        Path f = tmp.resolve("empty.md");
        Files.writeString(f, "# Title only\n");
        assertTrue(assertThrows(java.io.IOException.class, () -> LessonParser.parse(f, "en")).getMessage().contains("has no steps"));
    }
}
