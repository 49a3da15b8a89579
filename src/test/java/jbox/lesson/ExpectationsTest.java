package jbox.lesson;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExpectationsTest {
    private static final String STATS = """
            CONTAINER ID   NAME    CPU %    MEM USAGE / LIMIT
            e09cd43af1f0   heavy   37.24%   288KiB / 23.54GiB
            da37f32786c8   light   9.57%    296KiB / 23.54GiB
            """;
    private static final String WEIGHTS = "ratio: heavy +([\\d.]+)% / light +([\\d.]+)% = 2.5..8";

    @Test
    void aRatioHoldsOnABusyMachineWhereAbsoluteSharesDoNot() {
        assertNull(LessonChecker.unmet(List.of(WEIGHTS), STATS), "37% against 10% is the 4:1 weighting");
        assertEquals("expected heavy +([\\d.]+)% / light +([\\d.]+)% between 2.5 and 8, got 20.0 / 19.0",
                LessonChecker.unmet(List.of(WEIGHTS), STATS.replace("37.24%", "20.00%").replace("9.57%", "19.00%")));
        assertEquals("expected output matching /light +([\\d.]+)%/", LessonChecker.unmet(List.of(WEIGHTS), STATS.replace("light", "other")));
        assertTrue(LessonChecker.unmet(List.of("ratio: heavy"), STATS).startsWith("a ratio expectation reads"));
    }

    @Test
    void theLearnerReadsWhatIsMissingInWordsAndInTheirLanguage() {
        jbox.text.Say zh = jbox.text.Say.forLanguage("zh");
        assertEquals("输出里应该出现 \"box1\"。", LessonChecker.unmetForLearner(List.of("heavy", "box1"), STATS, true, zh));
        assertEquals("输出还没有显示这一步要看到的内容。", LessonChecker.unmetForLearner(List.of("re: nothing \\d+ like this"), STATS, true, zh), "no raw pattern");
        assertEquals("The output should not show \"heavy\".", LessonChecker.unmetForLearner(List.of("not: heavy"), STATS, true, jbox.text.Say.forLanguage("en")));
        assertNull(LessonChecker.unmetForLearner(List.of("explain: unshare(CLONE_NEWUTS) = 0"), STATS, false, zh), "with explain off a call's line is not expected");
        assertNull(LessonChecker.unmetForLearner(List.of("fails"), STATS, true, zh));
    }

    @Test
    void textRegexAndAbsenceExpectations() {
        assertNull(LessonChecker.unmet(List.of("heavy", "re: light +\\d", "not: oops"), STATS));
        assertEquals("expected \"nosuch\" in the output", LessonChecker.unmet(List.of("nosuch"), STATS));
        assertEquals("expected no \"heavy\" in the output", LessonChecker.unmet(List.of("not: heavy"), STATS));
    }
}
