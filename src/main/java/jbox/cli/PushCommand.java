package jbox.cli;

import jbox.terminal.Candidates;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** docker push: send an image to the registry its name names. */
@Command(name = "push", description = "Upload an image to a registry")
final class PushCommand implements Runnable {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME[:TAG]", completionCandidates = Candidates.Images.class) String name;

    @Override
    public void run() { Images.push(Api.client(), name, spec.commandLine().getOut()); }
}
