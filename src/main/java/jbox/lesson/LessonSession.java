package jbox.lesson;

import jbox.io.Owner;
import jbox.shell.Shell;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A lesson, interactively: each step is shown, the learner types its commands (or presses Enter on
 * an empty line to have the next one typed), the output is checked, a failure is explained with
 * the step's hints, and progress is saved so the lesson can be resumed. The commands run in a
 * jbox shell of its own (a child process with a private jbox root, removed at the end).
 */
public final class LessonSession {
    private final Lesson lesson;
    private final PrintWriter out;
    private final Process shell;
    private final PrintWriter toShell;
    private final BlockingQueue<Integer> done = new LinkedBlockingQueue<>();
    private final StringBuilder output = new StringBuilder();
    private final Path root;
    private final jbox.text.Say say;

    private LessonSession(Lesson lesson, PrintWriter out, Process shell, Path root) {
        this.lesson = lesson;
        this.out = out;
        this.shell = shell;
        this.root = root;
        this.toShell = new PrintWriter(shell.getOutputStream(), true, StandardCharsets.UTF_8);
        this.say = jbox.text.Say.forLanguage(lesson.language());
        Thread reader = new Thread(this::forwardOutput, "jbox-lesson-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The learner's place in each lesson, kept in $HOME/.jbox_lessons. */

    public static int start(Lesson lesson, List<String> jbox) throws IOException, InterruptedException {
        return open(lesson, jbox, (s, reader) -> s.run(reader));
    }

    /**
     * Presenter mode for the classroom demo: each step on a clean screen with a large heading, its
     * commands typed and run for the audience, then its one-sentence explanation; the next step on
     * a key press, or after secondsPerStep when given. Starts at step from (1-based), replaying the
     * earlier steps quietly so the sandbox is in the right state.
     */
    public static int present(Lesson lesson, List<String> jbox, int from, Double secondsPerStep) throws IOException, InterruptedException {
        return open(lesson, jbox, (s, reader) -> s.play(reader, from, secondsPerStep));
    }

    private interface Mode {
        int run(LessonSession s, LineReader reader) throws IOException, InterruptedException;
    }

    private static int open(Lesson asWritten, List<String> jbox, Mode mode) throws IOException, InterruptedException {
        Lesson lesson = asWritten;
        String lacks = LessonHost.lacks(lesson);
        if (lacks != null) throw new jbox.sys.Failure("cannot start lesson " + lesson.id() + " here", lacks, "take it where jbox runs as root, or pick another lesson (jbox lesson list)");
        String missing = LessonRegistry.unavailable(lesson);
        if (missing != null) throw new jbox.sys.Failure("cannot start lesson " + lesson.id(), missing, "see lessons/README.md");
        Path root = LessonRoots.create();
        LessonRegistry registry = LessonRegistry.startIfNeeded(lesson, root);
        if (registry != null) lesson = lesson.with(LessonRegistry.VARIABLE, registry.address());
        LessonDaemon daemon = LessonDaemon.startIfNeeded(lesson, jbox, root);
        List<String> cmd = new ArrayList<>(jbox);
        cmd.addAll(List.of("shell", "--driven"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JBOX_ROOT", root.toString());
        pb.directory(root.toFile()); // files a lesson makes (a Dockerfile) go into its own root, removed with it
        pb.environment().put("JBOX_LANG", lesson.language());
        if (daemon != null) pb.environment().putAll(daemon.env());
        Terminal terminal = TerminalBuilder.builder().system(true).encoding(java.nio.charset.StandardCharsets.UTF_8).build();
        LessonSession s = new LessonSession(lesson, terminal.writer(), pb.start(), root);
        try {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).build();
            return mode.run(s, reader);
        } finally {
            s.toShell.close();
            s.shell.waitFor(60, TimeUnit.SECONDS);
            s.shell.destroyForcibly();
            if (daemon != null) daemon.close();
            if (registry != null) registry.close();
            Owner.delete(root);
            terminal.close();
        }
    }

    private void forwardOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(Shell.DONE)) {
                    done.add(Integer.parseInt(line.substring(Shell.DONE.length()).trim()));
                    continue;
                }
                if (LessonChecker.PROMPT.matcher(line).matches()) continue; // the driven shell's echo of what we sent
                synchronized (output) {
                    output.append(line).append('\n');
                }
                out.println(line);
                out.flush();
            }
        } catch (IOException e) {
            // the shell ended
        }
    }

    /** Sends one command and waits for it to finish; returns its exit code. */
    private int send(String command) throws InterruptedException {
        toShell.println(command);
        Integer code = done.poll(300, TimeUnit.SECONDS);
        return code == null ? -1 : code;
    }

    private static final java.util.regex.Pattern EXPLAIN = java.util.regex.Pattern.compile("explain\\s+(on|full|off)");
    /** Whether the learner's shell shows system calls now (they may turn it off; checks then skip "explain:" lines). */
    private boolean explain = true;

    private int run(LineReader reader) throws IOException, InterruptedException {
        LessonProgress progress = LessonProgress.load();
        int first = progress.done(lesson);
        if (first >= lesson.steps().size()) first = 0;
        out.println("\n== " + lesson.title() + " ==\n");
        out.println(lesson.intro().lines().filter(l -> !l.startsWith("# ")).reduce("", (a, b) -> a + b + "\n").strip());
        if (first > 0) {
            out.println("\n" + say.text("lesson.resuming", first + 1));
            for (int i = 0; i < first; i++) for (String c : lesson.steps().get(i).commands()) sendQuietly(c);
        }
        for (int i = first; i < lesson.steps().size(); i++) {
            Lesson.Step step = lesson.steps().get(i);
            out.printf("%n-- %s: %s --%n%s%n%n%s%n", say.text("lesson.stepOf", i + 1, lesson.steps().size()), step.title(), step.text(), say.text("lesson.type"));
            step.commands().forEach(c -> out.println("    " + c));
            out.flush();
            synchronized (output) {
                output.setLength(0);
            }
            int typed = 0; // commands run in this attempt at the step
            boolean passed = false;
            while (!passed) {
                String line;
                try {
                    line = reader.readLine("lesson> ").trim();
                } catch (UserInterruptException | EndOfFileException e) {
                    line = "quit";
                }
                if (line.equals("quit")) {
                    progress.save(lesson, i);
                    out.println(say.text("lesson.saved"));
                    return 0;
                }
                if (line.equals("hint")) {
                    step.hints().forEach(h -> out.println("  " + h));
                    continue;
                }
                if (line.equals("skip")) break;
                if (line.isEmpty()) {
                    if (typed >= step.commands().size()) continue;
                    line = step.commands().get(typed);
                    out.println("lesson> " + line);
                }
                java.util.regex.Matcher explainMode = EXPLAIN.matcher(line);
                if (explainMode.matches()) explain = !explainMode.group(1).equals("off");
                int code = send(line);
                if (code != 0 && !step.expect().contains("fails")) {
                    // a typo or a wrong turn costs nothing: the step waits for the command, done right
                    out.println("\u2717 " + say.text("lesson.commandFailed"));
                    continue;
                }
                typed++;
                String got;
                synchronized (output) {
                    got = output.toString();
                }
                // The learner may reach the goal their own way: check after every command.
                String problem = LessonChecker.unmet(step.expect().stream().filter(e -> !e.equals("fails")).toList(), got, explain);
                if (problem == null && typed >= Math.min(1, step.commands().size())) {
                    passed = true;
                    out.println("\u2713 " + (step.why().isEmpty() ? say.text("lesson.good") : step.why()));
                } else if (typed >= step.commands().size()) {
                    out.println("\u2717 " + LessonChecker.unmetForLearner(step.expect(), got, explain, say) + " " + say.text("lesson.tryAgain"));
                    step.hints().forEach(h -> out.println("  " + h));
                    typed = 0;
                    synchronized (output) {
                        output.setLength(0);
                    }
                }
            }
            progress.save(lesson, i + 1);
        }
        out.println("\n" + say.text("lesson.finished"));
        return 0;
    }

    private int play(LineReader reader, int from, Double secondsPerStep) throws InterruptedException {
        List<Lesson.Step> steps = lesson.steps();
        int start = Math.max(1, Math.min(from, steps.size()));
        for (int i = 0; i < start - 1; i++) for (String c : steps.get(i).commands()) sendQuietly(c);
        for (int i = start - 1; i < steps.size(); i++) {
            Lesson.Step step = steps.get(i);
            out.print("\033[2J\033[H");
            String heading = "  " + say.text("lesson.stepOf", i + 1, steps.size()) + "   " + step.title() + "  ";
            out.println("\033[1;97;44m" + " ".repeat(heading.length()) + "\033[0m");
            out.println("\033[1;97;44m" + heading + "\033[0m");
            out.println("\033[1;97;44m" + " ".repeat(heading.length()) + "\033[0m\n");
            for (String c : step.commands()) {
                out.println("\033[1;33m$ " + c + "\033[0m");
                out.flush();
                send(c);
            }
            if (!step.why().isEmpty()) out.println("\n\033[1;36m" + step.why() + "\033[0m");
            out.flush();
            if (i == steps.size() - 1) break;
            if (secondsPerStep != null) {
                Thread.sleep((long) (secondsPerStep * 1000));
            } else {
                try {
                    String key = reader.readLine("\n" + say.text("lesson.next"));
                    if (key.trim().equals("q")) return 0;
                } catch (UserInterruptException | EndOfFileException e) {
                    return 0;
                }
            }
        }
        out.println("\n\033[1m" + say.text("lesson.finished") + "\033[0m");
        return 0;
    }

    private void sendQuietly(String command) throws InterruptedException {
        send(command);
        synchronized (output) {
            output.setLength(0);
        }
    }
}
