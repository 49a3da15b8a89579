package jbox.cli;

import jbox.daemon.Daemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * jbox daemon (or jbox -d): serves the Docker Engine API on a Unix socket and is the parent of
 * every container. See {@link Daemon} for the two processes it runs as.
 */
@Command(name = "daemon", description = "Run the jbox daemon: serve the Docker Engine API on a Unix socket")
final class DaemonCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, description = "Socket to listen on (default unix:///run/jbox/jbox.sock; without root, jbox.sock in the user's run directory)") String host;
    @Option(names = "--group", description = "Group that may use the socket (default jbox; created if missing)") String group = "jbox";
    @Option(names = "--trace", description = "Print each request, the route it matched and the handler that answered") boolean trace;

    @Override
    public Integer call() {
        return Daemon.keep(socket(), group, trace, SelfCommand.argv(), Detached.environment(jbox.engine.Engine.open()));
    }

    Path socket() { return host == null ? Api.DEFAULT_SOCKET : Api.socketOf(host); }

    /** Internal: the serving process the keeper starts (and starts again if it is killed). */
    @Command(name = "_daemon-server", hidden = true)
    static final class Server implements Callable<Integer> {
        @Option(names = {"-H", "--host"}) String host;
        @Option(names = "--group") String group = "jbox";
        @Option(names = "--trace") boolean trace;

        @Override
        public Integer call() {
            return Daemon.serve(host == null ? Api.DEFAULT_SOCKET : Api.socketOf(host), group, trace);
        }
    }

    /** Internal: the keeper records the exits of containers it inherited from a server that died. */
    @Command(name = "_inherited-exit", hidden = true)
    static final class InheritedExit implements Callable<Integer> {
        @Parameters(paramLabel = "PID STATUS") List<Integer> pidsAndStatuses;

        @Override
        public Integer call() {
            Daemon.recordInherited(pidsAndStatuses);
            return 0;
        }
    }

    /** Internal: the keeper stops the containers a server that died left running. */
    @Command(name = "_daemon-stop-left", hidden = true)
    static final class StopLeft implements Callable<Integer> {
        @Parameters(index = "0") int server;
        @Parameters(index = "1") int keeper;

        @Override
        public Integer call() {
            Daemon.stopLeft(server, keeper);
            return 0;
        }
    }
}
