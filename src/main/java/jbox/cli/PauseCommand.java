package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;

@Command(name = "pause", description = "Pause all processes within one or more containers (cgroup freezer)")
final class PauseCommand extends EachContainerCommand {
    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/pause", null); }
}
