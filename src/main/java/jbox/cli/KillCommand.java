package jbox.cli;

import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.sys.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kill", description = "Kill one or more running containers")
final class KillCommand extends EachContainerCommand {
    @Option(names = {"-s", "--signal"}, description = "Signal to send to the container (default KILL)") String signal = "KILL";
    private int number;

    @Override
    void prepare() {
        try {
            number = Signals.parse(signal);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "signals are named like TERM, SIGKILL, or numbered", "see kill -l for the list");
        }
    }

    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/kill?signal=" + number, null); }
}
