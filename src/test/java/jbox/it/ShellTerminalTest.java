package jbox.it;

import jbox.image.AtomicFiles;
import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The interactive shell in a real terminal (tmux): completion, prompt, Ctrl-C, in sh, Ctrl-D, and cleanup when killed. */
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShellTerminalTest {
    Jbox jbox;
    String session;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Sys.isRoot(), "needs root");
        assumeTrue(new ProcessBuilder("tmux", "-V").start().waitFor() == 0, "tmux is installed by ./run-tests");
        jbox = new Jbox(Files.createTempDirectory(Jbox.HOME.resolve("target"), "it-root-"));
        assertEquals(0, jbox.run("pull", "busybox").code());
    }

    @AfterEach
    void endSession() throws Exception {
        if (session != null) tmux("kill-session", "-t", session);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (jbox == null) return;
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

    private String screen() throws Exception { return tmux("capture-pane", "-p", "-t", session, "-S", "-200"); }

    private void keys(String... keys) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    private void waitFor(String text) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (screen().contains(text)) return;
            Thread.sleep(50);
        }
        fail("the terminal never showed \"" + text + "\":\n" + screen());
    }

    private void open(String name) throws Exception {
        session = name + "-" + ProcessHandle.current().pid();
        tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "50",
                "HOME=" + jbox.root + " JBOX_ROOT=" + jbox.root + " " + Jbox.HOME.resolve("jbox") + "; echo SHELL-EXIT=$?; sleep 60");
        waitFor("jbox>");
    }

    private List<Path> sandboxes() throws Exception {
        Path dir = jbox.root.resolve("sandboxes");
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aLearnerWorksThroughTheSandboxInARealTerminal() throws Exception {
        open("jbox-shell");
        keys("sand", "Tab");
        waitFor("jbox> sandbox");
        keys(" busybox", "Enter");
        waitFor("jbox[box]>");
        keys("explain off", "Enter");
        keys("enter m", "Tab");
        waitFor("enter mnt");
        keys("Enter");
        waitFor("jbox[box mnt]>");

        keys("in sleep 100", "Enter");
        Thread.sleep(800);
        keys("C-c");
        keys("echo-after-ctrl-c", "Enter");
        waitFor("Unmatched"); // the shell itself is still there and parsed the next line
        assertFalse(screen().contains("SHELL-EXIT"), "Ctrl-C stopped the command, not the shell");

        keys("in sh", "Enter");
        waitFor("/ #");
        keys("tty; echo inside-$$-end", "Enter");
        waitFor("-end");
        assertTrue(screen().contains("/dev/pts/0"), "sh got a terminal of the sandbox's own devpts:\n" + screen());
        keys("exit", "Enter");
        waitFor("jbox[box mnt]>");
        assertEquals(1, sandboxes().size());

        keys("C-d");
        waitFor("SHELL-EXIT=0");
        assertEquals(List.of(), sandboxes(), "Ctrl-D leaves nothing behind");
        assertTrue(Files.readString(jbox.root.resolve(".jbox_history")).contains("sandbox busybox"), "history is kept for the next session");
    }

    @Test
    void aKilledShellLeavesNothingOnceJboxRunsAgain() throws Exception {
        open("jbox-kill");
        keys("sandbox busybox", "Enter");
        waitFor("jbox[box]>");
        keys("enter mnt", "Enter");
        waitFor("jbox[box mnt]>");
        keys("in -d sleep 1000", "Enter");
        Thread.sleep(500);
        List<Path> made = sandboxes();
        assertEquals(1, made.size());
        String id = made.get(0).getFileName().toString();
        assertFalse(Jbox.cgroupsOf(id).isEmpty());
        String owner = Files.readString(made.get(0).resolve("owner")).split(" ")[0];
        Sys.kill(Integer.parseInt(owner), 9);
        waitFor("SHELL-EXIT=137");
        assertEquals(0, jbox.run("ps").code());
        assertEquals(List.of(), sandboxes(), "the next jbox cleans up the killed shell's sandbox");
        assertTrue(Jbox.cgroupsOf(id).isEmpty(), "its cgroup and the process in it are gone");
        assertFalse(Jbox.hostMounts().contains(jbox.root.toString()));
    }

    @Test
    void closingTheTerminalDiscardsTheSandbox() throws Exception {
        open("jbox-hup");
        keys("sandbox busybox", "Enter");
        waitFor("jbox[box]>");
        assertEquals(1, sandboxes().size());
        tmux("kill-session", "-t", session);
        session = null;
        for (int i = 0; i < 100 && !sandboxes().isEmpty(); i++) Thread.sleep(50);
        assertEquals(List.of(), sandboxes(), "SIGHUP runs the shell's exit: the sandbox is discarded");
    }
}
