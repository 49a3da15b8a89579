package jbox.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An option's value may be the name of one of its command's subcommands, as runc reads it (containerd names roots freely). */
class OptionValuesTest {
    private static CommandLine.ParseResult parse(String... args) {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return Main.configure(Main.commandLine(args), sink, sink).parseArgs(args);
    }

    @Test
    void theRuntimeRootMayBeNamedAfterARuntimeCommand() {
        CommandLine.ParseResult runtime = parse("runtime", "--root", "state", "state", "c1").subcommand();
        assertEquals("state", runtime.matchedOption("--root").getValue());
        assertEquals("state", runtime.subcommand().commandSpec().name());
        assertEquals("c1", runtime.subcommand().matchedPositional(0).getValue());
    }
}
