package jbox.cli;

import jbox.engine.Engine;
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
        Engine.open().pull(name, out::println);
        out.println(jbox.image.Reference.parse(name).canonical());
    }
}
