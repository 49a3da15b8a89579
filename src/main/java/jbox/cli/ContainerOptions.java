package jbox.cli;

import jbox.engine.CreateRequest;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** The flags `run` and `create` share, named as Docker names them. */
final class ContainerOptions {
    @Option(names = "--name", description = "Assign a name to the container") String name;
    @Option(names = {"-e", "--env"}, description = "Set environment variables (NAME=value, or NAME to pass the host's)") List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container") String workdir;
    @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])") String user;
    @Option(names = {"-h", "--hostname"}, description = "Container host name") String hostname;
    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image") String entrypoint;
    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open") boolean interactive;
    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
    @Option(names = "--rm", description = "Automatically remove the container when it exits") boolean autoRemove;
    @Option(names = "--help", usageHelp = true, description = "Print usage") boolean help;
    @picocli.CommandLine.Mixin ResourceOptions limits;
    @Parameters(index = "0", paramLabel = "IMAGE", completionCandidates = Candidates.Images.class) String image;
    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*") List<String> command = new ArrayList<>();

    CreateRequest request() {
        return new CreateRequest(image, name, command, entrypoint, resolveEnv(env), workdir, user, hostname, tty, interactive, autoRemove, limits.resources());
    }

    /** -e NAME passes this shell's value of NAME, as docker does; the daemon never sees the client's environment. */
    static List<String> resolveEnv(List<String> flags) {
        List<String> out = new ArrayList<>();
        for (String e : flags) {
            if (e.contains("=")) out.add(e);
            else if (System.getenv(e) != null) out.add(e + "=" + System.getenv(e));
        }
        return out;
    }
}
