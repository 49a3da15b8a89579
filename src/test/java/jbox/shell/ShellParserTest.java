package jbox.shell;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShellParserTest {
    private static List<String> words(String line) {
        return new ShellParser().parse(line, line.length()).words().stream().filter(w -> !w.isEmpty()).toList();
    }

    @Test
    void singleQuotesKeepBackslashesAsASh() {
        assertEquals(List.of("host", "sh", "-c", "printf \"a\\nb \\\"c\\\"\""), words("host sh -c 'printf \"a\\nb \\\"c\\\"\"'"));
    }

    @Test
    void outsideSingleQuotesABackslashStillEscapes() {
        assertEquals(List.of("in", "echo", "a b", "x\"y"), words("in echo a\\ b \"x\\\"y\""));
    }
}
