package jbox.cli;

import jbox.client.ApiClient;
import jbox.client.SocketClient;
import jbox.daemon.InProcessClient;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.sys.Places;
import jbox.sys.Sys;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where jbox's commands send their requests. Like the docker CLI, every command is a client of
 * the Docker Engine API: to the daemon when one runs (JBOX_HOST, or /run/jbox/jbox.sock for the
 * default root), else to the daemon's own routes called in this process, with no server or socket.
 * Either way the same handlers answer, so the output is the same.
 */
public final class Api {
    public static final Path DEFAULT_SOCKET = Places.runDir().resolve("jbox.sock");
    private static ApiClient client;

    private Api() {}

    public static synchronized ApiClient client() {
        if (client != null) return client;
        String host = System.getenv("JBOX_HOST");
        if (host != null && !host.isEmpty()) {
            client = new SocketClient(socketOf(host), "daemon at " + host);
        } else if (defaultRoot() && jbox.daemon.Daemon.answers(DEFAULT_SOCKET)) {
            client = new SocketClient(DEFAULT_SOCKET, "daemon at unix://" + DEFAULT_SOCKET);
        } else {
            Engine engine = Engine.open();
            engine.housekeeping().recover(0); // what a killed jbox left, before this one acts
            client = new InProcessClient(engine, id -> Detached.start(engine, id), Map.of("Mode", "in-process", "Pid", Sys.getpid()),
                    "in this process (no daemon is running at unix://" + DEFAULT_SOCKET + (defaultRoot() ? "" : " for this root") + ")");
        }
        return client;
    }

    /** unix:///path, as DOCKER_HOST writes it. */
    public static Path socketOf(String host) {
        if (!host.startsWith("unix://")) {
            throw new Failure("unsupported JBOX_HOST " + host, "jbox's daemon listens on a Unix socket only",
                    "write JBOX_HOST=unix://" + DEFAULT_SOCKET);
        }
        return Path.of(host.substring("unix://".length()));
    }

    private static boolean defaultRoot() {
        return System.getProperty("jbox.root") == null && System.getenv("JBOX_ROOT") == null;
    }
}
