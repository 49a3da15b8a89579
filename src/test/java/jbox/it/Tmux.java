package jbox.it;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** A real terminal for tests: a tmux session to type into and read the screen of. */
final class Tmux implements AutoCloseable {
    private final String session;

    private Tmux(String session) { this.session = session; }

    static Tmux open(String name, int columns, int rows, String command) throws Exception {
        Tmux t = new Tmux(name + "-" + ProcessHandle.current().pid());
        run("new-session", "-d", "-s", t.session, "-x", Integer.toString(columns), "-y", Integer.toString(rows), command);
        return t;
    }

    static boolean available() throws Exception { return new ProcessBuilder("tmux", "-V").start().waitFor() == 0; }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** Keys as tmux send-keys takes them: text, or names like Enter, Tab, C-c, C-d. */
    void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** The screen and 200 lines of scrollback (trailing spaces trimmed by tmux). */
    String screen() throws Exception { return run("capture-pane", "-p", "-t", session, "-S", "-200"); }

    void resize(int columns, int rows) throws Exception {
        run("resize-window", "-t", session, "-x", Integer.toString(columns), "-y", Integer.toString(rows));
    }

    /** Waits up to a minute: a busy machine (the suite's other test classes) can take many seconds per step. */
    void waitFor(String text) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (screen().contains(text)) return;
            Thread.sleep(50);
        }
        fail("the terminal never showed \"" + text + "\":\n" + screen());
    }

    @Override
    public void close() throws Exception { run("kill-session", "-t", session); }
}
