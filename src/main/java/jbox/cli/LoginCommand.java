package jbox.cli;

import jbox.registry.Credentials;
import jbox.registry.RegistryAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Map;
import java.util.concurrent.Callable;

/** docker login: checks the credentials with the registry (through the daemon), then keeps them, readable by you only. */
@Command(name = "login", description = "Log in to a registry")
final class LoginCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = {"-u", "--username"}, description = "Username") String username;
    @Option(names = {"-p", "--password"}, description = "Password (visible to other users of this machine: prefer --password-stdin)") String password;
    @Option(names = "--password-stdin", description = "Take the password from stdin") boolean passwordStdin;
    @Parameters(paramLabel = "SERVER") String server;

    @Override
    public Integer call() throws IOException {
        var out = spec.commandLine().getOut();
        if (passwordStdin) password = new BufferedReader(new InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
        if (username == null || password == null) {
            var console = System.console();
            if (console == null) {
                throw new jbox.sys.Failure("login needs a user name and a password", "there is no terminal to ask on",
                        "give -u USER and --password-stdin (echo PASSWORD | jbox login -u USER --password-stdin " + server + ")");
            }
            if (username == null) username = console.readLine("Username: ");
            if (password == null) password = new String(console.readPassword("Password: "));
        }
        Api.client().call("POST", "/auth", Map.of("username", username, "password", password, "serveraddress", server));
        Credentials.save(server, new RegistryAuth(username, password));
        out.println("Login Succeeded (saved in " + Credentials.file() + ", mode 0600)");
        return 0;
    }
}
