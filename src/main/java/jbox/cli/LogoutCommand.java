package jbox.cli;

import jbox.registry.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** docker logout: forgets the saved login for a registry. */
@Command(name = "logout", description = "Log out from a registry")
final class LogoutCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "SERVER") String server;

    @Override
    public Integer call() throws IOException {
        spec.commandLine().getOut().println(Credentials.remove(server) ? "Removing login credentials for " + server : "Not logged in to " + server);
        return 0;
    }
}
