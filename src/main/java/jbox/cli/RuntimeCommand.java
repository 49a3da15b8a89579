package jbox.cli;

import jbox.ociruntime.OciException;
import jbox.ociruntime.OciRuntime;
import jbox.ociruntime.RuntimeCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * jbox as an OCI runtime, with runc's command line (the jbox-runc launcher runs this), so podman,
 * dockerd and containerd can start containers with jbox's engine. Errors are one line on stderr
 * (and in --log), exit status 1, as runc reports them.
 */
@Command(name = "runtime", description = "The OCI runtime command line (as runc's): create, start, state, kill, delete, run, exec, ps, pause, resume, update, list, spec, features",
        versionProvider = RuntimeCommand.Version.class)
public final class RuntimeCommand implements Runnable, RuntimeCommands.Globals {
    private static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(RuntimeCommands.Create.class, RuntimeCommands.Start.class,
            RuntimeCommands.State.class, RuntimeCommands.Kill.class, RuntimeCommands.Delete.class, RuntimeCommands.Run.class, RuntimeCommands.Exec.class,
            RuntimeCommands.Ps.class, RuntimeCommands.Pause.class, RuntimeCommands.Resume.class, RuntimeCommands.Update.class, RuntimeCommands.List.class,
            RuntimeCommands.SpecCmd.class, RuntimeCommands.Features.class, RuntimeCommands.Checkpoint.class, RuntimeCommands.Restore.class,
            RuntimeCommands.Events.class);
    /** The global options that take a value, to find the subcommand after them. */
    private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--root", "--log", "--log-format", "--rootless", "--criu");

    /**
     * Adds the subcommand that args (the words after "runtime") name, or every one when they name
     * none: podman, dockerd and containerd run one runtime command per step, and picocli reading the
     * other sixteen's annotations was a third of each one's start.
     */
    static void addSubcommands(picocli.CommandLine runtime, java.util.List<String> args) {
        String name = subcommandName(args);
        for (Class<?> c : SUBCOMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (a.name().equals(name) || java.util.Arrays.asList(a.aliases()).contains(name)) {
                runtime.addSubcommand(c);
                return;
            }
        }
        for (Class<?> c : SUBCOMMANDS) runtime.addSubcommand(c);
    }
    /** The subcommand that args (the words after "runtime") name, or null. */
    static String subcommandName(java.util.List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-")) return a;
            if (WITH_VALUE.contains(a)) i++;
        }
        return null;
    }

    @Spec CommandSpec spec;
    @Option(names = "--root", paramLabel = "DIR", description = "Where container state is kept (default /run/jbox-runc; without root, runc in the user's run directory)") String root;
    @Option(names = "--log", paramLabel = "FILE", description = "Where errors and warnings are logged (default: stderr only)") String log;
    @Option(names = "--log-format", paramLabel = "text|json", description = "Format of --log (default text)") String logFormat = "text";
    @Option(names = "--systemd-cgroup", description = "Refused: jbox manages cgroups with the cgroupfs driver") boolean systemdCgroup;
    @Option(names = "--debug", description = "Log more (accepted for runc compatibility)") boolean debug;
    @Option(names = "--rootless", paramLabel = "true|false|auto", description = "Refused when true: jbox's runtime needs root") String rootless;
    @Option(names = "--criu", paramLabel = "PATH", description = "Accepted for runc compatibility; checkpoint is not supported") String criu;
    @Option(names = {"-v", "--version"}, versionHelp = true, description = "Print the version") boolean version;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print usage") boolean help;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** As runc --version prints it: the runtime's version, then the runtime spec it implements. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[]{"jbox-runc version " + VersionCommand.VERSION, "spec: 1.0.2"}; }
    }

    /** The caller's working directory, against which --root and --log are read (the runtime service's caller is another process). */
    Path workingDir = Path.of("");
    /** The runtime service's caller forks a created container's first process; null: this process does. */
    jbox.runtime.CallerFork callerFork;

    @Override
    public OciRuntime runtime(java.io.PrintWriter err) {
        if ("true".equals(rootless)) throw new OciException("--rootless true is not supported: jbox's runtime needs root");
        RuntimeService.startIfWanted();
        return new OciRuntime(root == null || root.isEmpty() ? null : workingDir.resolve(root),
                log == null || log.isEmpty() ? null : workingDir.resolve(log), logFormat, systemdCgroup, err, workingDir, callerFork);
    }
}
