package jbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * docker's management commands, `jbox image ls` and `jbox container rm`, as names for the same
 * commands as `jbox images` and `jbox rm`: people type both forms out of habit.
 */
final class CommandGroups {
    private CommandGroups() {}

    @Command(name = "image", description = "Manage images (the same commands as jbox images, rmi, pull, ...)")
    static final class Image implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
    }

    @Command(name = "container", description = "Manage containers (the same commands as jbox ps, run, rm, ...)")
    static final class Container implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
    }

    @Command(name = "system", description = "Manage jbox (df, events, info, prune)")
    static final class SystemGroup implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
    }

    /** Adds the group called name (null: all); false when none has that name. */
    static boolean addTo(CommandLine root, String name) {
        boolean added = false;
        if (name == null || name.equals("image")) {
            root.addSubcommand("image", image());
            added = true;
        }
        if (name == null || name.equals("container")) {
            root.addSubcommand("container", container());
            added = true;
        }
        if (name == null || name.equals("system")) {
            CommandLine system = new CommandLine(new SystemGroup());
            system.addSubcommand("df", new SystemDfCommand());
            system.addSubcommand("events", new EventsCommand());
            system.addSubcommand("info", new InfoCommand());
            system.addSubcommand("prune", new SystemPruneCommand());
            root.addSubcommand("system", system);
            added = true;
        }
        return added;
    }

    private static CommandLine image() {
        CommandLine image = new CommandLine(new Image());
        image.addSubcommand("build", new BuildCommand());
        image.addSubcommand("inspect", inspect("image"));
        image.addSubcommand("load", new LoadCommand());
        image.addSubcommand("ls", new ImagesCommand(), "list");
        image.addSubcommand("prune", new ImagePruneCommand());
        image.addSubcommand("pull", new PullCommand());
        image.addSubcommand("push", new PushCommand());
        image.addSubcommand("rm", new RmiCommand(), "remove");
        image.addSubcommand("save", new SaveCommand());
        image.addSubcommand("tag", new TagCommand());
        return image;
    }

    private static CommandLine container() {
        CommandLine container = new CommandLine(new Container());
        container.addSubcommand("attach", new AttachCommand());
        container.addSubcommand("commit", new CommitCommand());
        container.addSubcommand("cp", new CpCommand());
        container.addSubcommand("create", new CreateCommand());
        container.addSubcommand("exec", new ExecCommand());
        container.addSubcommand("inspect", inspect("container"));
        container.addSubcommand("kill", new KillCommand());
        container.addSubcommand("logs", new LogsCommand());
        container.addSubcommand("ls", new PsCommand(), "list", "ps");
        container.addSubcommand("pause", new PauseCommand());
        container.addSubcommand("port", new PortCommand());
        container.addSubcommand("prune", new ContainerPruneCommand());
        container.addSubcommand("restart", new RestartCommand());
        container.addSubcommand("rm", new RmCommand(), "remove");
        container.addSubcommand("run", new RunCommand());
        container.addSubcommand("start", new StartCommand());
        container.addSubcommand("stats", new StatsCommand());
        container.addSubcommand("stop", new StopCommand());
        container.addSubcommand("top", new TopCommand());
        container.addSubcommand("unpause", new UnpauseCommand());
        container.addSubcommand("update", new UpdateCommand());
        container.addSubcommand("wait", new WaitCommand());
        return container;
    }

    /** inspect that looks only for one kind of object, as docker image inspect and docker container inspect do. */
    private static InspectCommand inspect(String type) {
        InspectCommand c = new InspectCommand();
        c.type = type;
        return c;
    }
}
