package jbox.it;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `jbox run -it` in a real terminal (tmux): a pty inside, job control, Ctrl-C, window size, exit code. */
class TerminalTest extends RealEngineTest {
    @Test
    void anInteractiveShellGetsARealTerminal() throws Exception {
        assumeTrue(Tmux.available(), "tmux is installed by ./run-tests");
        String cmd = "JBOX_ROOT=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + " run -it --rm busybox sh; echo EXIT=$?; sleep 60";
        try (Tmux t = Tmux.open("jbox-run-it", 100, 30, cmd)) {
            t.waitFor("/ #");
            t.keys("tty; stty size; echo pid=$$", "Enter");
            t.waitFor("pid=1");
            String s = t.screen();
            assertTrue(s.contains("/dev/pts/0"), "the container's own pty: " + s);
            assertTrue(s.contains("30 100"), "the window size came through: " + s);

            t.keys("sleep 100", "Enter");
            Thread.sleep(300);
            t.keys("C-c");
            t.keys("echo interrupted=$?", "Enter");
            t.waitFor("interrupted=130");

            t.keys("sleep 50 &", "Enter");
            t.keys("jobs", "Enter");
            t.waitFor("Running");

            t.resize(90, 20);
            Thread.sleep(300);
            t.keys("stty size", "Enter");
            t.waitFor("20 90");

            t.keys("exit 5", "Enter");
            t.waitFor("EXIT=5");
        }
        assertEquals(List.of(), jbox.containerDirs());
    }
}
