package jbox.cli;

import jbox.client.ApiClient;
import jbox.daemon.DaemonServer;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.engine.Errors;
import jbox.sys.Processes;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where jbox's commands send their requests. Like the docker CLI, every command is a client of
 * the Docker Engine API: to the daemon when one runs (JBOX_HOST, or /run/jbox/jbox.sock for the
 * default root), else to the same server started inside this process on a private socket. Either
 * way the same handlers answer, so the output is the same.
 */
public final class Api {
    public static final Path DEFAULT_SOCKET = Path.of("/run/jbox/jbox.sock");
    private static ApiClient client;
    private static DaemonServer local;

    private Api() {}

    public static synchronized ApiClient client() {
        if (client != null) return client;
        String host = System.getenv("JBOX_HOST");
        if (host != null && !host.isEmpty()) {
            client = new ApiClient(socketOf(host), "daemon at " + host);
        } else if (defaultRoot() && jbox.daemon.Daemon.answers(DEFAULT_SOCKET)) {
            client = new ApiClient(DEFAULT_SOCKET, "daemon at unix://" + DEFAULT_SOCKET);
        } else {
            client = new ApiClient(startLocal().socket(), "in this process (no daemon is running at unix://" + DEFAULT_SOCKET
                    + (defaultRoot() ? "" : " for this root") + ")");
        }
        return client;
    }

    /** unix:///path, as DOCKER_HOST writes it. */
    public static Path socketOf(String host) {
        if (!host.startsWith("unix://")) {
            throw new Failure("unsupported JBOX_HOST " + host, "jbox's daemon listens on a Unix socket only",
                    "write JBOX_HOST=unix:///run/jbox/jbox.sock");
        }
        return Path.of(host.substring("unix://".length()));
    }

    private static boolean defaultRoot() {
        return System.getProperty("jbox.root") == null && System.getenv("JBOX_ROOT") == null;
    }

    /** The API server inside this process, for commands run without a daemon. */
    private static DaemonServer startLocal() {
        Engine engine = Engine.open();
        engine.recover(0); // what a killed jbox left, before this one acts
        Path run = engine.root().resolve("run");
        try {
            Files.createDirectories(run);
            sweepStaleSockets(run);
            Path socket = run.resolve("cli-" + Sys.getpid() + ".sock");
            local = new DaemonServer(engine, socket, id -> Detached.start(engine, id), null, Map.of("Mode", "in-process", "Pid", Sys.getpid()));
            Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot start jbox's API inside this process");
        }
        local.serveInBackground();
        DaemonServer server = local;
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        return local;
    }

    /** Sockets of jbox commands that were killed before they could remove them. */
    private static void sweepStaleSockets(Path run) throws IOException {
        try (var s = Files.list(run)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith("cli-") || !n.endsWith(".sock")) continue;
                int pid = Integer.parseInt(n.substring(4, n.length() - 5));
                if (!Processes.isAlive(pid)) Files.deleteIfExists(p);
            }
        } catch (NumberFormatException ignored) {
            // not one of ours
        }
    }
}
