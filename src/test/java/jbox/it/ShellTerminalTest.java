package jbox.it;

import jbox.io.Owner;
import jbox.sys.Sys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The interactive shell in a real terminal (tmux): completion, prompt, Ctrl-C, in sh, Ctrl-D, and cleanup when killed. */
class ShellTerminalTest extends RealEngineTest {
    private Tmux open(String name) throws Exception {
        Tmux t = start(name, jbox.root);
        t.waitFor("jbox>");
        return t;
    }

    /** The shell on a terminal of its own, with root as its JBOX_ROOT; its exit code shows as SHELL-EXIT=N. */
    private Tmux start(String name, Path root) throws Exception {
        Requires.that(Tmux.available(), "tmux is installed by ./run-tests");
        return Tmux.open(name, 150, 50, "HOME=" + jbox.root + " JBOX_ROOT=" + root + " " + Jbox.HOME.resolve("jbox") + "; echo SHELL-EXIT=$?; sleep 60");
    }

    private List<Path> sandboxes() throws Exception {
        Path dir = jbox.root.resolve("sandboxes");
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Whether a process on the host runs exactly this command line (a unique one, so nobody else's counts). */
    private static boolean hostRuns(String commandLine) throws Exception {
        String wanted = commandLine.replace(' ', '\0') + "\0";
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).equals(wanted)) return true;
                } catch (java.io.IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return false;
    }

    /** Whether a process of this test's one sandbox runs command (read from its cgroup, so nobody else's counts). */
    private boolean sandboxRuns(String command) throws Exception {
        List<Path> made = sandboxes();
        if (made.size() != 1) return false;
        for (Path cg : Jbox.cgroupsOf(made.get(0).getFileName().toString())) {
            Path procs = cg.resolve("cgroup.procs");
            if (!Files.exists(procs)) continue;
            for (String pid : Files.readAllLines(procs)) {
                try {
                    if (Files.readString(Path.of("/proc", pid, "cmdline")).startsWith(command)) return true;
                } catch (java.io.IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return false;
    }

    @Test
    void aLearnerWorksThroughTheSandboxInARealTerminal() throws Exception {
        try (Tmux t = open("jbox-shell")) {
            learnerSession(t);
        }
        assertEquals(List.of(), sandboxes(), "Ctrl-D leaves nothing behind");
        assertTrue(Files.readString(jbox.root.resolve(".jbox_history")).contains("sandbox busybox"), "history is kept for the next session");
    }

    private void learnerSession(Tmux t) throws Exception {
        t.keys("sand", "Tab");
        t.waitFor("jbox> sandbox");
        t.keys(" busybox", "Enter");
        t.waitFor("jbox[box]>");
        t.keys("explain off", "Enter");
        t.keys("enter m", "Tab");
        t.waitFor("enter mnt");
        t.keys("Enter");
        t.waitFor("jbox[box mnt]>");

        t.keys("in sleep 100", "Enter");
        Eventually.waitFor(() -> sandboxRuns("sleep"), "sleep to run in the sandbox");
        t.keys("C-c");
        // Keys typed before the prompt is back go to the ended command's terminal, as they would
        // to a process's own tty; a learner types after the prompt.
        t.waitFor("^Cjbox[box mnt]>");
        t.keys("echo-after-ctrl-c", "Enter");
        t.waitFor("Unmatched"); // the shell itself is still there and parsed the next line
        assertFalse(t.screen().contains("SHELL-EXIT"), "Ctrl-C stopped the command, not the shell");

        t.keys("in sh", "Enter");
        t.waitFor("/ #");
        // Each wait names text that only the step's output shows: the typed line is echoed at once,
        // and an earlier prompt stays on the screen, so a key sent after either could reach sh.
        t.keys("tty; echo inside-$((40+2))-end", "Enter");
        t.waitFor("inside-42-end");
        assertTrue(t.screen().contains("/dev/pts/0"), "sh got a terminal of the sandbox's own devpts:\n" + t.screen());
        t.keys("exit", "Enter");
        t.waitFor("/ # exit\njbox[box mnt]>");
        assertEquals(1, sandboxes().size());

        t.keys("C-d");
        t.waitFor("SHELL-EXIT=0");
    }

    /**
     * Whichever order a learner takes pid and mnt in (and whatever else between), in ps lists the
     * sandbox's processes only: its init as PID 1, and ps. A foreground command is not PID 1, so
     * Ctrl-C stops it.
     */
    @Test
    void everyOrderOfPidAndMntShowsOnlyTheSandboxsProcesses() throws Exception {
        List<List<String>> orders = List.of(List.of("pid", "mnt"), List.of("mnt", "pid"), List.of("pid", "uts", "mnt"), List.of("mnt", "net", "pid"));
        for (List<String> order : orders) {
            try (Tmux t = open("jbox-order")) {
                t.keys("sandbox busybox", "Enter");
                t.waitFor("jbox[box]>");
                t.keys("explain off", "Enter");
                for (int i = 0; i < order.size(); i++) {
                    t.keys("enter " + order.get(i), "Enter");
                    t.waitFor("jbox[box " + String.join(",", order.subList(0, i + 1)) + "]>");
                }
                String prompt = "jbox[box " + String.join(",", order) + "]>";
                t.keys("in ps -o pid,comm", "Enter");
                t.waitFor(prompt + " in ps -o pid,comm\nPID");
                t.waitFor("ps\n" + prompt);
                String screen = t.screen();
                List<String> listed = screen.substring(screen.lastIndexOf("in ps -o pid,comm\n")).lines().skip(2)
                        .takeWhile(l -> !l.startsWith("jbox[")).map(String::trim).toList();
                // ps is 2, or 3 on kernels whose procfs has no pidns option (jbox ran mount(8) in the namespace for /proc)
                assertTrue(listed.size() == 2 && listed.get(0).equals("1 catatonit") && listed.get(1).matches("[23] ps"), order + ":\n" + screen);

                t.keys("in sleep 100", "Enter");
                Eventually.waitFor(() -> sandboxRuns("sleep"), "sleep to run in the sandbox");
                t.keys("C-c");
                t.waitFor("^C" + prompt);
                Eventually.waitFor(() -> !sandboxRuns("sleep"), "Ctrl-C to end sleep, which is not PID 1");

                // an arrow key typed while one of the shell's own commands runs is not echoed as ^[[A
                t.keys("host sleep 2.718", "Enter");
                Eventually.waitFor(() -> hostRuns("sleep 2.718"), "host sleep to run");
                t.keys("Up");
                t.waitFor(prompt + " host sleep 2.718");
                Eventually.waitFor(() -> !hostRuns("sleep 2.718"), "host sleep to end");
                assertFalse(t.screen().contains("^[["), t.screen());
                t.keys("C-a", "C-k"); // the arrow reached the next prompt, as typed-ahead keys do: it recalled the last line
                t.keys("C-d");
                t.waitFor("SHELL-EXIT=0");
            }
        }
        assertEquals(List.of(), sandboxes(), "each shell discarded its sandbox");
    }

    @Test
    void aKilledShellLeavesNothingOnceJboxRunsAgain() throws Exception {
        try (Tmux t = open("jbox-kill")) {
            killedSession(t);
        }
    }

    private void killedSession(Tmux t) throws Exception {
        t.keys("sandbox busybox", "Enter");
        t.waitFor("jbox[box]>");
        t.keys("enter mnt", "Enter");
        t.waitFor("jbox[box mnt]>");
        t.keys("in -d sleep 1000", "Enter");
        Eventually.waitFor(() -> sandboxRuns("sleep"), "sleep to run in the sandbox");
        List<Path> made = sandboxes();
        assertEquals(1, made.size());
        String id = made.get(0).getFileName().toString();
        assertFalse(Jbox.cgroupsOf(id).isEmpty());
        Sys.kill(Owner.pid(made.get(0)), 9);
        t.waitFor("SHELL-EXIT=137");
        assertEquals(0, jbox.run("ps").code());
        assertEquals(List.of(), sandboxes(), "the next jbox cleans up the killed shell's sandbox");
        assertTrue(Jbox.cgroupsOf(id).isEmpty(), "its cgroup and the process in it are gone");
        assertFalse(Jbox.hostMounts().contains(jbox.root.toString()));
    }

    /** The shell makes its engine while its prompt shows: if it cannot, it says why and ends, as before a prompt. */
    @Test
    void aShellThatCannotOpenItsRootSaysWhyAndEnds() throws Exception {
        Path notADirectory = Files.writeString(jbox.root.resolve("a-file"), "");
        try (Tmux t = start("jbox-noroot", notADirectory.resolve("root"))) {
            t.waitFor("SHELL-EXIT=125");
            assertTrue(t.screen().contains("jbox: Error: cannot open the jbox root " + notADirectory.resolve("root")), t.screen());
        }
    }

    @Test
    void closingTheTerminalDiscardsTheSandbox() throws Exception {
        Tmux t = open("jbox-hup");
        t.keys("sandbox busybox", "Enter");
        t.waitFor("jbox[box]>");
        assertEquals(1, sandboxes().size());
        t.close();
        Eventually.waitFor(() -> sandboxes().isEmpty(), "SIGHUP to run the shell's exit, which discards the sandbox");
    }
}
