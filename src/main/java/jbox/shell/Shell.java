package jbox.shell;

import jbox.text.Say;

import jbox.engine.Engine;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import picocli.CommandLine;
import picocli.shell.jline3.PicocliJLineCompleter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The jbox shell: every jbox command, plus the sandbox commands, in one command tree. Interactive
 * with a terminal (JLine: completion, history, highlighting, Ctrl-C stops the command, Ctrl-D
 * leaves); scripted otherwise, printing what a session would print and stopping at the first
 * command that fails.
 */
public final class Shell {
    /** jbox's command tree, printing to the given out and err: the CLI hands it to the shell, which adds its own commands. */
    public interface Commands {
        CommandLine make(PrintWriter out, PrintWriter err);
    }

    private final Session session;
    private final CommandLine cli;
    private final PicocliJLineCompleter completer;

    private Shell(Session session, Commands commands, PrintWriter err) {
        this.session = session;
        this.cli = commands.make(session.out, err);
        session.run = args -> commands.make(session.out, err).execute(args);
        java.util.Set<String> steps = new java.util.LinkedHashSet<>();
        for (Object c : SandboxCommands.all(session)) {
            cli.addSubcommand(c);
            steps.add(c.getClass().getAnnotation(picocli.CommandLine.Command.class).name());
        }
        if (cli.getSubcommands().containsKey("help")) cli.getCommandSpec().removeSubcommand("help");
        cli.addSubcommand(new ShellHelp(session, cli, steps));
        for (String c : new String[]{"in", "host"}) cli.getSubcommands().get(c).setStopAtPositional(true); // in sh -c '...' keeps -c for sh
        completer = new PicocliJLineCompleter(cli.getCommandSpec());
        session.engine.housekeeping().recover(0); // what a killed jbox (a shell, a build) left
        Runtime.getRuntime().addShutdownHook(new Thread(this::leave, "jbox-shell-exit"));
    }

    /** Throws the sandbox away: on exit, Ctrl-D, or a SIGTERM/SIGHUP (terminal closed). */
    private synchronized void leave() {
        if (session.sandbox != null) {
            try {
                session.sandbox.discard();
            } catch (RuntimeException e) {
                System.err.println("jbox: cleaning up the sandbox failed: " + e.getMessage());
            }
            session.sandbox = null;
        }
    }

    int execute(List<String> words) { return cli.execute(words.toArray(String[]::new)); }

    /** Runs commands from a reader, echoing each after a prompt; stops at the first failure with its exit code. */
    public static int script(Commands commands, BufferedReader in, PrintWriter out, PrintWriter err) throws IOException {
        return script(commands, in, out, err, false);
    }

    /** End-of-command marker for a program driving the shell through pipes (the interactive lesson runner). */
    public static final String DONE = "\u0000jbox-done ";

    /**
     * Script mode for a driver: with driven set, a failing command does not end the session, and a
     * line "NUL jbox-done CODE" follows each command so the driver knows when its output is complete.
     */
    public static int script(Commands commands, BufferedReader in, PrintWriter out, PrintWriter err, boolean driven) throws IOException {
        Shell shell = new Shell(new Session(Engine.open(), out, false), commands, err);
        DefaultParser parser = new ShellParser();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
                out.println(shell.prompt(false) + trimmed);
                out.flush();
                if (trimmed.equals("exit") || trimmed.equals("quit")) break;
                if (trimmed.equals("clear")) continue; // a script has no screen to clear
                List<String> words = words(parser.parse(trimmed, trimmed.length()).words());
                int code = shell.execute(words);
                if (driven) {
                    err.flush();
                    out.println(DONE + code);
                    out.flush();
                    continue;
                }
                if (code != 0) {
                    err.println("jbox shell: stopped at \"" + trimmed + "\" (exit code " + code + ")");
                    return code;
                }
            }
            return 0;
        } finally {
            shell.leave();
            out.flush();
        }
    }

    /**
     * The interactive shell on this process's terminal. Its prompt comes as soon as the terminal and the
     * line editor are ready: the engine, the command tree and the housekeeping (the Shell) are made
     * meanwhile on a thread of their own (on another core, where there is one), and the first command, Tab or Ctrl-D waits
     * for them. If making them fails, the shell says why and ends, as it did before its prompt.
     */
    public static int interactive(Commands commands) throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).encoding(java.nio.charset.StandardCharsets.UTF_8).build();
        PrintWriter out = terminal.writer();
        CompletableFuture<Shell> making = new CompletableFuture<>();
        Thread maker = new Thread(null, () -> {
            try {
                making.complete(new Shell(new Session(Engine.open(), out, true), commands, jbox.io.Utf8.writer(System.err)));
            } catch (Throwable e) {
                making.completeExceptionally(e);
                terminal.raise(Terminal.Signal.INT); // wakes the line editor (it interrupts its reader), which then reports this
            }
        }, "jbox-shell-start", 0, false);
        maker.setDaemon(true);
        maker.start();
        Thread main = Thread.currentThread();
        // Outside line editing the terminal is in normal mode: Ctrl-C sends SIGINT, which stops the command, not the shell.
        terminal.handle(Terminal.Signal.INT, sig -> main.interrupt());
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("jbox")
                .completer((r, line, candidates) -> shell(making).completer.complete(r, line, candidates))
                .parser(new ShellParser())
                .highlighter(new CommandHighlighter(making))
                .variable(LineReader.HISTORY_FILE, jbox.io.LearnerHome.dir().resolve(".jbox_history"))
                .build();
        out.println(Say.t("shell.banner"));
        out.println(Say.t("shell.start"));
        Shell shell = null;
        try {
            while (true) {
                String line;
                try {
                    if (making.isCompletedExceptionally()) shell(making); // throws what went wrong
                    line = reader.readLine(shell == null ? PROMPT : shell.prompt(true));
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                shell = shell(making);
                List<String> words = words(reader.getParsedLine().words());
                if (words.isEmpty()) continue;
                if (words.get(0).equals("exit") || words.get(0).equals("quit")) break;
                if (words.get(0).equals("clear")) {
                    terminal.puts(org.jline.utils.InfoCmp.Capability.clear_screen);
                    terminal.flush();
                    continue;
                }
                // Keys typed while a command runs are not echoed (an arrow would print as ^[[A); they
                // still reach the next prompt. A command on a terminal of its own (in sh) sets its own mode.
                org.jline.terminal.Attributes before = terminal.getAttributes();
                org.jline.terminal.Attributes quiet = new org.jline.terminal.Attributes(before);
                quiet.setLocalFlag(org.jline.terminal.Attributes.LocalFlag.ECHO, false);
                terminal.setAttributes(quiet);
                try {
                    shell.execute(words);
                } finally {
                    terminal.setAttributes(before);
                }
                Thread.interrupted(); // a Ctrl-C during the command is spent
                out.flush();
            }
            shell = shell(making); // a Ctrl-D at the first prompt lets the housekeeping finish
        } finally {
            if (shell != null && shell.session.sandbox != null) {
                shell.leave();
                out.println(Say.t("discard.done"));
                out.flush();
            }
            reader.getHistory().save();
            jbox.io.LearnerHome.own(jbox.io.LearnerHome.dir().resolve(".jbox_history"));
            terminal.close();
        }
        return 0;
    }

    /** The first prompt, before the Shell is made: no sandbox yet (as {@link #prompt} draws it). */
    private static final String PROMPT = prompt(null, true);

    /** The Shell once made, or what stopped it from being made. */
    private static Shell shell(CompletableFuture<Shell> making) {
        try {
            return making.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
    }

    private static List<String> words(List<String> parsed) {
        List<String> out = new ArrayList<>();
        for (String w : parsed) if (!w.isEmpty()) out.add(w);
        return out;
    }

    /** jbox[box uts,pid]> : the sandbox and the namespaces it has entered. */
    String prompt(boolean colour) { return prompt(session.sandbox, colour); }

    private static String prompt(Sandbox box, boolean colour) {
        AttributedStringBuilder p = new AttributedStringBuilder();
        p.style(AttributedStyle.BOLD.foreground(AttributedStyle.BLUE)).append("jbox");
        if (box != null) {
            p.style(AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW)).append("[" + box.name);
            if (!box.entered().isEmpty()) p.append(" " + String.join(",", box.entered()));
            p.append("]");
        }
        p.style(AttributedStyle.DEFAULT).append("> ");
        AttributedString s = p.toAttributedString();
        return colour ? s.toAnsi() : s.toString();
    }

    /** Known commands in green, unknown ones in red, as the learner types (once the command tree is made). */
    private static final class CommandHighlighter implements org.jline.reader.Highlighter {
        private final CompletableFuture<Shell> making;

        CommandHighlighter(CompletableFuture<Shell> making) { this.making = making; }

        @Override
        public AttributedString highlight(LineReader reader, String buffer) {
            // typing never waits for the tree: plain until it is made (or if making it failed)
            if (!making.isDone() || making.isCompletedExceptionally()) return new AttributedString(buffer);
            Set<String> commands = making.join().cli.getSubcommands().keySet();
            String trimmed = buffer.stripLeading();
            int lead = buffer.length() - trimmed.length();
            int end = trimmed.indexOf(' ');
            String first = end < 0 ? trimmed : trimmed.substring(0, end);
            boolean known = commands.contains(first) || first.equals("exit") || first.equals("quit") || first.equals("help") || first.equals("clear");
            AttributedStringBuilder b = new AttributedStringBuilder().append(buffer.substring(0, lead));
            b.style(known ? AttributedStyle.BOLD.foreground(AttributedStyle.GREEN) : AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)).append(first);
            b.style(AttributedStyle.DEFAULT).append(trimmed.substring(first.length()));
            return b.toAttributedString();
        }

        @Override
        public void setErrorPattern(java.util.regex.Pattern errorPattern) { }

        @Override
        public void setErrorIndex(int errorIndex) { }
    }
}
