package jbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** docker builder prune: forget the build cache (every step's image), freeing what no image uses. */
@Command(name = "builder", description = "Manage the build cache", subcommands = BuilderCommand.Prune.class)
final class BuilderCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "prune", description = "Remove the build cache")
    static final class Prune implements Runnable {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation (jbox never prompts)") boolean force;
        @picocli.CommandLine.Option(names = {"-a", "--all"}, description = "Remove all of the build cache (jbox always does)") boolean all;

        @Override
        public void run() {
            var reply = Api.client().call("POST", "/build/prune", null);
            spec.commandLine().getOut().println("Deleted build cache steps: " + reply.path("JboxStepsDeleted").asInt());
        }
    }
}
