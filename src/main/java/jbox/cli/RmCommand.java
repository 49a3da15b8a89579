package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rm", description = "Remove one or more containers")
final class RmCommand extends EachContainerCommand {
    @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)") boolean force;
    @Option(names = {"-v", "--volumes"}, description = "Remove the anonymous volumes of the container") boolean volumes;

    @Override
    void apply(ApiClient api, String container) {
        api.call("DELETE", "/containers/" + ApiClient.seg(container) + "?force=" + (force ? 1 : 0) + "&v=" + (volumes ? 1 : 0), null);
    }
}
