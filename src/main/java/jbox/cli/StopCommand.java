package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stop", description = "Stop one or more running containers (SIGTERM, then SIGKILL after a grace period)")
final class StopCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time", "--timeout"}, description = "Seconds to wait before killing it (default 10)") int seconds = 10;

    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/stop?t=" + seconds, null); }
}
