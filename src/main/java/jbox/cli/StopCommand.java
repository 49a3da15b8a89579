package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stop", description = "Stop one or more running containers (SIGTERM, then SIGKILL after a grace period)")
final class StopCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time", "--timeout"}, description = "Seconds to wait before killing it (default: the container's --stop-timeout, else 10)") Integer seconds;

    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/stop" + (seconds == null ? "" : "?t=" + seconds), null); }
}
