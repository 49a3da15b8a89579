package jbox.cli;

import jbox.engine.Errors;
import jbox.shell.Shell;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** jbox shell: interactive on a terminal, or runs a script (--script FILE, or commands piped in). */
@Command(name = "shell", description = "Open the jbox shell: take a container apart one namespace and one cgroup limit at a time")
public final class ShellCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--script", paramLabel = "FILE", description = "Run the commands in FILE, stopping at the first that fails") Path script;
    @Option(names = "--driven", hidden = true, description = "Read commands from stdin for a driving program: never stop, mark each command's end") boolean driven;

    /** Every jbox command, for the shell to add its own to. */
    private static final Shell.Commands COMMANDS = (out, err) -> Main.configure(Main.commandLine(), out, err);

    @Override
    public Integer call() {
        if (driven) {
            try {
                return Shell.script(COMMANDS, new BufferedReader(new InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)), spec.commandLine().getOut(), spec.commandLine().getOut(), true);
            } catch (IOException e) {
                throw Errors.explain(e, "jbox shell");
            }
        }
        return open(script, spec);
    }

    static int open(Path script, CommandSpec spec) {
        try {
            if (script != null) {
                try (BufferedReader in = Files.newBufferedReader(script)) {
                    return Shell.script(COMMANDS, in, spec.commandLine().getOut(), spec.commandLine().getErr());
                }
            }
            if (System.console() == null) {
                return Shell.script(COMMANDS, new BufferedReader(new InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)), spec.commandLine().getOut(), spec.commandLine().getErr());
            }
            return Shell.interactive(COMMANDS);
        } catch (IOException e) {
            throw Errors.explain(e, "jbox shell");
        }
    }
}
