package jbox.it;

import jbox.image.AtomicFiles;
import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `jbox run -it` in a real terminal (tmux): a pty inside, job control, Ctrl-C, window size, exit code. */
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TerminalTest {
    Jbox jbox;
    String session;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Sys.isRoot(), "needs root");
        assumeTrue(new ProcessBuilder("tmux", "-V").start().waitFor() == 0, "tmux is installed by ./run-tests");
        jbox = new Jbox(Files.createTempDirectory(Jbox.HOME.resolve("target"), "it-root-"));
        assertEquals(0, jbox.run("pull", "busybox").code());
        session = "jbox-test-" + ProcessHandle.current().pid();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (jbox == null) return;
        tmux("kill-session", "-t", session);
        for (String id : jbox.containerDirs()) jbox.run("rm", "-f", id);
        jbox.run("rmi", "busybox");
        AtomicFiles.deleteTree(jbox.root);
    }

    private static String tmux(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private String screen() throws Exception { return tmux("capture-pane", "-p", "-t", session); }

    private void waitFor(String text) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (screen().contains(text)) return;
            Thread.sleep(50);
        }
        fail("the terminal never showed \"" + text + "\":\n" + screen());
    }

    @Test
    void anInteractiveShellGetsARealTerminal() throws Exception {
        String cmd = "JBOX_ROOT=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + " run -it --rm busybox sh; echo EXIT=$?; sleep 60";
        tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd);
        waitFor("/ #");
        tmux("send-keys", "-t", session, "tty; stty size; echo pid=$$", "Enter");
        waitFor("pid=1");
        String s = screen();
        assertTrue(s.contains("/dev/pts/0"), "the container's own pty: " + s);
        assertTrue(s.contains("30 100"), "the window size came through: " + s);

        tmux("send-keys", "-t", session, "sleep 100", "Enter");
        Thread.sleep(300);
        tmux("send-keys", "-t", session, "C-c");
        tmux("send-keys", "-t", session, "echo interrupted=$?", "Enter");
        waitFor("interrupted=130");

        tmux("send-keys", "-t", session, "sleep 50 &", "Enter");
        tmux("send-keys", "-t", session, "jobs", "Enter");
        waitFor("Running");

        tmux("resize-window", "-t", session, "-x", "90", "-y", "20");
        Thread.sleep(300);
        tmux("send-keys", "-t", session, "stty size", "Enter");
        waitFor("20 90");

        tmux("send-keys", "-t", session, "exit 5", "Enter");
        waitFor("EXIT=5");
        assertEquals(List.of(), jbox.containerDirs());
    }
}
