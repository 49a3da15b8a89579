package jbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "pull", description = "Download an image (the bundled ones need no network)")
final class PullCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME[:TAG]") String name;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        Images.pull(Api.client(), name, out);
        out.println(jbox.image.Reference.parse(name).canonical());
    }
}
