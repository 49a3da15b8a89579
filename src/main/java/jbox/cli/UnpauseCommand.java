package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;

@Command(name = "unpause", description = "Unpause all processes within one or more containers")
final class UnpauseCommand extends EachContainerCommand {
    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/unpause", null); }
}
