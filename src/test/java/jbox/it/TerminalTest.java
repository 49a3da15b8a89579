package jbox.it;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** `jbox run -it` in a real terminal (tmux): a pty inside, job control, Ctrl-C, window size, exit code. */
class TerminalTest extends RealEngineTest {
    @Test
    void anInteractiveShellGetsARealTerminal() throws Exception {
        Requires.that(Tmux.available(), "tmux is installed by ./run-tests");
        String cmd = "JBOX_ROOT=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + " run -it --rm busybox sh; echo EXIT=$?; sleep 60";
        try (Tmux t = Tmux.open("jbox-run-it", 100, 30, cmd)) {
            t.waitFor("/ #");
            t.keys("tty; stty size; echo pid=$$", "Enter");
            t.waitFor("pid=1");
            String s = t.screen();
            assertTrue(s.contains("/dev/pts/0"), "the container's own pty: " + s);
            assertTrue(s.contains("30 100"), "the window size came through: " + s);

            t.keys("sleep 100", "Enter");
            String id = jbox.run("ps", "-q").out().trim();
            Eventually.waitFor(() -> jbox.run("top", id).out().contains("sleep 100"), "sleep to run in the container");
            t.keys("C-c");
            t.keys("echo interrupted=$?", "Enter");
            t.waitFor("interrupted=130");

            t.keys("sleep 50 &", "Enter");
            t.keys("jobs", "Enter");
            t.waitFor("Running");

            t.resize(90, 20);
            // The new size reaches the container's pty through jbox's SIGWINCH handler: ask until it has.
            Eventually.waitFor(() -> {
                t.keys("stty size", "Enter");
                Thread.sleep(100);
                return t.screen().contains("20 90");
            }, "the container's terminal to have the new size");

            t.keys("exit 5", "Enter");
            t.waitFor("EXIT=5");
        }
        assertEquals(List.of(), jbox.containerDirs());
    }
}
