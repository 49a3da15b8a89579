package jbox.cli;

import jbox.terminal.Candidates;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "start", description = "Start one or more stopped containers")
final class StartCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals") boolean attach;
    @Option(names = {"-i", "--interactive"}, description = "Attach container's STDIN") boolean interactive;
    @Parameters(paramLabel = "CONTAINER", arity = "1..*", completionCandidates = Candidates.Containers.class) List<String> containers;

    @Override
    public Integer call() {
        ApiClient api = Api.client();
        if (attach || interactive) {
            if (containers.size() != 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "you cannot start and attach multiple containers at once");
            JsonNode c = Containers.inspect(api, containers.get(0));
            JsonNode config = c.path("Config");
            return Attach.run(api, c.path("Id").asText(), Containers.name(c), config.path("Tty").asBoolean(), interactive && config.path("OpenStdin").asBoolean(),
                    c.path("HostConfig").path("AutoRemove").asBoolean(), true, spec.commandLine().getErr());
        }
        for (String name : containers) {
            api.call("POST", "/containers/" + ApiClient.seg(name) + "/start", null);
            spec.commandLine().getOut().println(name);
        }
        return 0;
    }
}
