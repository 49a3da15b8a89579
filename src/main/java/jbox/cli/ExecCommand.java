package jbox.cli;

import jbox.terminal.Candidates;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import jbox.sys.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** docker exec: run one more command in a running container, in all of its namespaces. */
@Command(name = "exec", description = "Execute a command in a running container")
final class ExecCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open") boolean interactive;
    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
    @Option(names = {"-d", "--detach"}, description = "Detached mode: run command in the background") boolean detach;
    @Option(names = {"-e", "--env"}, description = "Set environment variables") List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container") String workdir;
    @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])") String user;
    @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = Candidates.Containers.class) String container;
    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*") List<String> command;

    @Override
    public Integer call() {
        ApiClient api = Api.client();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Cmd", command);
        body.put("Env", ContainerOptions.resolveEnv(env));
        if (workdir != null) body.put("WorkingDir", workdir);
        if (user != null) body.put("User", user);
        body.put("Tty", tty);
        body.put("AttachStdin", interactive && !detach);
        body.put("AttachStdout", !detach);
        body.put("AttachStderr", !detach);
        String id = api.call("POST", "/containers/" + ApiClient.seg(container) + "/exec", body).path("Id").asText();
        if (detach) {
            api.call("POST", "/exec/" + ApiClient.seg(id) + "/start", Map.of("Detach", true, "Tty", tty));
            return 0;
        }
        spec.commandLine().getOut().flush();
        try (ApiClient.Response r = api.open("POST", "/exec/" + ApiClient.seg(id) + "/start", Map.of("Detach", false, "Tty", tty), true)) {
            Attach.Session session = Attach.Session.begin(api, "/exec/" + ApiClient.seg(id) + "/resize", tty, interactive, r);
            try {
                Attach.copyOutput(r.body, tty);
            } catch (IOException e) {
                // the stream ended early; inspect says how the command ended
            } finally {
                session.close();
            }
        }
        JsonNode inspect = api.call("GET", "/exec/" + ApiClient.seg(id) + "/json", null);
        if (inspect.path("ExitCode").isNull()) throw new Failure("exec " + id.substring(0, 12) + " ended without an exit code", null, null);
        return inspect.path("ExitCode").asInt();
    }

}
