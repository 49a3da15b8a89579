package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "run", description = "Create and run a new container from an image", usageHelpAutoWidth = true)
final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ContainerOptions options;
    @Option(names = {"-d", "--detach"}, description = "Run container in background and print container ID") boolean detach;

    @Override
    public Integer call() {
        ApiClient api = Api.client();
        var req = options.request();
        String id = Containers.create(api, req, options.pull, spec.commandLine().getErr());
        if (detach) {
            api.call("POST", "/containers/" + ApiClient.seg(id) + "/start", null);
            spec.commandLine().getOut().println(id);
            return 0;
        }
        spec.commandLine().getOut().flush();
        String name = req.name() != null ? req.name() : Containers.name(Containers.inspect(api, id));
        return Attach.run(api, id, name, req.tty(), req.interactive(), req.autoRemove(), true, spec.commandLine().getErr());
    }
}
