package jbox.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real terminal for tests: a tmux session to type into and read the screen of. Each runs on a tmux
 * server of its own (a private socket): on the shared default server, one test's last session ending
 * shuts the server down under another test's new session ("no server running"), and a person's tmux
 * on the machine would share it too.
 */
final class Tmux implements AutoCloseable {
    private final Path dir;
    private final String session;

    private Tmux(Path dir, String session) {
        this.dir = dir;
        this.session = session;
    }

    static Tmux open(String name, int columns, int rows, String command) throws Exception {
        Tmux t = new Tmux(Files.createTempDirectory("jbox-tmux-"), name);
        t.run("new-session", "-d", "-s", t.session, "-x", Integer.toString(columns), "-y", Integer.toString(rows), command);
        return t;
    }

    static boolean available() throws Exception { return new ProcessBuilder("tmux", "-V").start().waitFor() == 0; }

    private String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", dir.resolve("socket").toString()));
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
    public void close() throws Exception {
        run("kill-server");
        Files.deleteIfExists(dir.resolve("socket"));
        Files.delete(dir);
    }
}
