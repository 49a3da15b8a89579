package jbox.cli;

import jbox.sys.Failure;
import jbox.engine.Errors;
import picocli.CommandLine;

import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/** Entry point of the jbox binary: parses the command line and prints errors for people. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        jbox.io.Utf8.standardStreams();
        PrintWriter out = jbox.io.Utf8.writer(System.out), err = jbox.io.Utf8.writer(System.err);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        jbox.sys.Exit.now(code);
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // jbox -d [flags] is jbox daemon [flags], as docker -d was
        if (args.length > 0 && (args[0].equals("-d") || args[0].equals("--daemon"))) args[0] = "daemon";
        return configure(commandLine(args), out, err).execute(args);
    }

    /** The whole command tree, with docker's management groups (image ..., container ...) over the same commands. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new JboxCommand());
        for (Class<?> c : JboxCommand.COMMANDS) cli.addSubcommand(c);
        RuntimeCommand.addSubcommands(cli.getSubcommands().get("runtime"), java.util.List.of());
        CommandGroups.addTo(cli, null);
        return cli;
    }

    /**
     * The tree for one command line: the root and only the command it names. picocli reads every
     * command's annotations when it is added, about 100 ms for the whole tree in a fresh JVM, which
     * every cold command would pay. Help and anything unknown get the whole tree; the shell (no
     * arguments) and --version the root alone (the shell builds its own tree, with its commands).
     */
    static CommandLine commandLine(String[] args) {
        if (args.length == 0 || args[0].equals("--version") || args[0].equals("-V")) return new CommandLine(new JboxCommand());
        String name = args.length == 0 || args[0].startsWith("-") ? null : args[0];
        if (name == null) return commandLine();
        CommandLine cli = new CommandLine(new JboxCommand());
        for (Class<?> c : JboxCommand.COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (!c.equals(CommandLine.HelpCommand.class) && (a.name().equals(name) || java.util.Arrays.asList(a.aliases()).contains(name))) {
                cli.addSubcommand(c);
                if (c.equals(RuntimeCommand.class)) {
                    RuntimeCommand.addSubcommands(cli.getSubcommands().get(name), java.util.Arrays.asList(args).subList(1, args.length));
                }
                return cli;
            }
        }
        if (CommandGroups.addTo(cli, name)) return cli;
        return commandLine();
    }

    /** The same parsing, error reporting and exit codes for the command line and the shell. */
    public static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
        cli.setOut(out);
        cli.setErr(err);
        // After the image, everything belongs to the container's command: run busybox sh -c 'ls -l'
        // (a tree built for one command line has only that command: absent ones are skipped)
        Map<String, CommandLine> top = cli.getSubcommands();
        // ... and after the container, everything belongs to ps: top web -o pid,comm
        for (String c : new String[]{"run", "create", "exec", "top"}) {
            if (top.containsKey(c)) top.get(c).setStopAtPositional(true);
            if (top.containsKey("container")) top.get("container").getSubcommands().get(c).setStopAtPositional(true);
        }
        for (String c : new String[]{"exec", "ps"}) {
            if (top.containsKey("runtime") && top.get("runtime").getSubcommands().containsKey(c)) top.get("runtime").getSubcommands().get(c).setStopAtPositional(true);
        }
        addHelpOption(cli);
        // an option's value may name one of its command's subcommands, as runc reads it: runtime --root state state ID
        cli.setAllowSubcommandsAsOptionParameters(true);
        // the usage's headings in the learner's language (the descriptions stay English for now)
        if (jbox.text.Say.language().equals("zh")) cli.setResourceBundle(java.util.ResourceBundle.getBundle("jbox.usage", java.util.Locale.CHINESE));
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("jbox: " + ex.getMessage());
            err.println("See 'jbox " + commandName(ex.getCommandLine()) + "--help'.");
            return underRuntime(ex.getCommandLine()) ? 1 : 125; // runc's exit status for a bad command line
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Failure e = Errors.explain(ex, "jbox " + cmd.getCommandName());
            report(err, e);
            if (System.getenv("JBOX_DEBUG") != null) ex.printStackTrace(err);
            return e.exitCode();
        });
        cli.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                out.flush();
                err.flush();
            }
        });
        return cli;
    }

    /** Every command answers --help, as docker's do; -h stays free (run -h sets the hostname). */
    private static void addHelpOption(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (!sub.getCommandSpec().optionsMap().containsKey("--help")) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("--help")
                        .usageHelp(true).description("Print usage").build());
            }
            addHelpOption(sub);
        }
    }

    private static boolean underRuntime(CommandLine c) {
        for (CommandLine p = c; p != null; p = p.getParent()) if (p.getCommandName().equals("runtime")) return true;
        return false;
    }

    private static String commandName(CommandLine c) {
        return c.getParent() == null ? "" : c.getCommandName() + " ";
    }

    /** "fix: " in English, "解决办法：" in Chinese (a full-width colon needs no space after it). */
    private static String label(String key) {
        String l = jbox.text.Say.t(key);
        return l.endsWith("\uff1a") ? l : l + " ";
    }

    static void report(PrintWriter err, Failure e) {
        err.println("jbox: Error: " + e.getMessage());
        if (e.likelyCause() != null) err.println("  " + label("error.cause") + e.likelyCause());
        if (e.fix() != null) err.println("  " + label("error.fix") + e.fix());
        err.flush();
    }
}
