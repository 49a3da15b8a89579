package jbox.cli;

import jbox.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "rmi", description = "Remove one or more images")
final class RmiCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-f", "--force"}, description = "Force removal of the image") boolean force;
    @Parameters(paramLabel = "IMAGE", arity = "1..*") List<String> images;

    @Override
    public void run() {
        Engine engine = Engine.open();
        for (String i : images) engine.removeImage(i, force).forEach(spec.commandLine().getOut()::println);
    }
}
