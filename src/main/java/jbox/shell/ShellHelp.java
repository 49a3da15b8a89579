package jbox.shell;

import jbox.linux.Pty;
import jbox.text.Say;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shell's help: its own steps one line each, then jbox's commands as names, so that the whole
 * fits one screen of the learner's terminal (jbox --help lists about 80 lines); help COMMAND shows
 * one command in full.
 */
@Command(name = "help", description = "List the shell's steps and jbox's commands; help COMMAND shows one")
final class ShellHelp implements Runnable {
    private final Session s;
    private final CommandLine shell;
    private final Set<String> steps;
    @Parameters(arity = "0..1", paramLabel = "COMMAND") String command;

    ShellHelp(Session s, CommandLine shell, Set<String> steps) {
        this.s = s;
        this.shell = shell;
        this.steps = steps;
    }

    @Override
    public void run() {
        if (command != null) {
            CommandLine one = shell.getSubcommands().get(command);
            if (one == null) throw new jbox.sys.Failure("no command \"" + command + "\"", "help knows the shell's steps and jbox's commands", "write help to list them");
            one.usage(s.out);
            return;
        }
        int width = width();
        s.out.println(Say.t("help.steps"));
        for (String name : steps) {
            CommandLine c = shell.getSubcommands().get(name);
            String[] description = c.getCommandSpec().usageMessage().description();
            String text = description.length == 0 ? "" : firstClause(description[0]);
            s.out.println(fit(String.format("  %-9s %s", name, text), width));
        }
        s.out.println(Say.t("help.jbox"));
        List<String> others = new ArrayList<>();
        for (String name : shell.getSubcommands().keySet()) {
            CommandLine c = shell.getSubcommands().get(name);
            boolean hidden = c.getCommandSpec().usageMessage().hidden();
            if (!steps.contains(name) && !name.equals("help") && !hidden && c.getCommandName().equals(name)) others.add(name);
        }
        StringBuilder line = new StringBuilder(" ");
        for (String name : others) {
            if (line.length() + name.length() + 1 > width) {
                s.out.println(line);
                line = new StringBuilder(" ");
            }
            line.append(' ').append(name);
        }
        if (line.length() > 1) s.out.println(line);
        s.out.println(Say.t("help.more"));
    }

    private static String firstClause(String description) {
        int colon = description.indexOf(':');
        return colon > 0 ? description.substring(0, colon) : description;
    }

    private static String fit(String line, int width) {
        return line.length() <= width ? line : line.substring(0, Math.max(10, width - 1)) + "\u2026";
    }

    private static int width() {
        int[] size = Pty.size(1);
        return size == null || size[1] < 40 ? 80 : size[1];
    }
}
