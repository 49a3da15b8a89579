package jbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the command tree: `jbox COMMAND`. */
@Command(name = "jbox", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "A container engine to learn containers with.")
public final class JboxCommand implements java.util.concurrent.Callable<Integer> {
    /** Every top-level command, in the order `jbox --help` lists them (Main builds the tree from it). */
    static final java.util.List<Class<?>> COMMANDS = java.util.List.of(picocli.CommandLine.HelpCommand.class, ShellCommand.class, LessonCommand.class,
            DemoCommand.class, InfoCommand.class, PullCommand.class, ImagesCommand.class, RunCommand.class, CreateCommand.class, StartCommand.class,
            PsCommand.class, StopCommand.class, KillCommand.class, RmCommand.class, RmiCommand.class, InspectCommand.class, LogsCommand.class, EventsCommand.class, CpCommand.class,
            StatsCommand.class, TopCommand.class, PauseCommand.class, UnpauseCommand.class, UpdateCommand.class, RestartCommand.class,
            WaitCommand.class, ExecCommand.class, AttachCommand.class, TagCommand.class, PushCommand.class, LoginCommand.class, LogoutCommand.class,
            SaveCommand.class, LoadCommand.class, BuildCommand.class, CommitCommand.class, BuilderCommand.class, VolumeCommand.class,
            NetworkCommand.class, PortCommand.class, RuntimeCommand.class, DaemonCommand.class, VersionCommand.class, MonitorCommand.class,
            DaemonCommand.Server.class, DaemonCommand.InheritedExit.class, DaemonCommand.StopLeft.class, RuntimeServiceCommand.class, ExportOciCommand.class, BenchEngineCommand.class);

    @Spec
    CommandSpec spec;

    /** `jbox` alone opens the shell (inside the shell, an empty command line never gets here). */
    @Override
    public Integer call() {
        return ShellCommand.open(null, spec);
    }
}
