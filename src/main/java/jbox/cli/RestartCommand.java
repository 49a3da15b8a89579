package jbox.cli;

import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "restart", description = "Restart one or more containers (stop, then start again)")
final class RestartCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time", "--timeout"}, description = "Seconds to wait for it to stop before killing it (default: the container's --stop-timeout, else 10)") Integer seconds;

    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/restart" + (seconds == null ? "" : "?t=" + seconds), null); }
}
