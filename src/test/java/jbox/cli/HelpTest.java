package jbox.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command, nested ones too, prints its usage for --help and exits 0, as docker's commands do. */
class HelpTest {
    @Test
    void everyCommandAnswersHelp() {
        List<String> paths = new ArrayList<>();
        collect(Main.commandLine(), "", paths);
        assertTrue(paths.size() > 30, "the command tree was read: " + paths);
        for (String path : paths) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            List<String> args = new ArrayList<>(List.of(path.split(" ")));
            args.add("--help");
            int code = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
            assertEquals(0, code, path + ": " + err);
            assertTrue(out.toString().startsWith("Usage: jbox " + path), path + ": " + out);
        }
    }

    /** A command line builds only the command it names, and every name and alias of the whole tree is found that way. */
    @Test
    void aCommandLineBuildsOnlyTheCommandItNames() {
        assertEquals(java.util.Set.of("run"), Main.commandLine(new String[]{"run", "busybox"}).getSubcommands().keySet());
        assertEquals(java.util.Set.of("image"), Main.commandLine(new String[]{"image", "ls"}).getSubcommands().keySet());
        assertTrue(Main.commandLine(new String[]{"--version"}).getSubcommands().isEmpty());
        CommandLine full = Main.commandLine();
        assertEquals(full.getSubcommands().keySet(), Main.commandLine(new String[]{"--help"}).getSubcommands().keySet(), "--help lists every command");
        assertEquals(full.getSubcommands().keySet(), Main.commandLine(new String[]{"no-such-command"}).getSubcommands().keySet());
        for (String name : full.getSubcommands().keySet()) {
            if (name.equals("help")) continue;
            assertTrue(Main.commandLine(new String[]{name}).getSubcommands().containsKey(name), name);
        }
        // the runtime's commands too, past runc's global options, as podman and containerd call them
        assertEquals(java.util.Set.of("state"), Main.commandLine(new String[]{"runtime", "--root", "/run/x", "--log=/tmp/l", "state", "id"})
                .getSubcommands().get("runtime").getSubcommands().keySet());
        assertEquals(full.getSubcommands().get("runtime").getSubcommands().keySet(),
                Main.commandLine(new String[]{"runtime", "--help"}).getSubcommands().get("runtime").getSubcommands().keySet());
        assertTrue(full.getSubcommands().get("runtime").getSubcommands().size() > 15, "the whole tree has every runtime command");
    }

    private static void collect(CommandLine cli, String prefix, List<String> paths) {
        for (var e : cli.getSubcommands().entrySet()) {
            if (e.getKey().equals("help") || e.getValue().getCommandSpec().usageMessage().hidden()) continue;
            if (!e.getKey().equals(e.getValue().getCommandName())) continue; // an alias (volume list): its usage names the command
            String path = (prefix + " " + e.getKey()).trim();
            paths.add(path);
            collect(e.getValue(), path, paths);
        }
    }
}
