package jbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** jbox version / jbox --version. */
@Command(name = "version", description = "Show the jbox version information")
final class VersionCommand implements Runnable {
    static final String VERSION = jbox.Version.NUMBER;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        out.println("jbox version " + VERSION);
        out.println(" Java:        " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        out.println(" OS/Arch:     linux/" + jbox.image.ImageBuilder.architecture());
        out.println(" Kernel:      " + System.getProperty("os.version"));
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[]{"jbox version " + VERSION}; }
    }
}
