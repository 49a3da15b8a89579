package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.engine.Engine;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.io.LingeringServer;
import jbox.sys.Failure;
import jbox.sys.Places;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parent of every container started in the background without a daemon, one process per
 * store (and its JBOX_CGROUP/JBOX_PROC settings), as podman's conmon is per container: someone
 * must stay a container's parent to log its output and collect its exit status. A CLI asks it
 * over a Unix socket to start a container; it supervises it as the daemon does. A detached
 * container then costs a thread and two descriptors here instead of a JVM of its own. It ends
 * {@link #LINGER_MILLIS} after its last container.
 *
 * <p>The socket is in a 0700 directory under the run directory (root's only, or the user's).
 * One lock file there orders the monitors' starts and ends: a CLI holds it from connecting (or
 * starting a monitor) until connected, and a monitor takes it before it stops listening, so a
 * request never reaches a monitor on its way out.
 */
public final class Monitor {
    static final long LINGER_MILLIS = 2000;

    private final Supervisor supervisor;
    private final AtomicInteger running = new AtomicInteger();
    private final LingeringServer server;

    private Monitor(Engine engine, LingeringServer server) {
        this.supervisor = new Supervisor(engine, null);
        this.server = server;
        supervisor.onExit((id, code) -> {
            running.decrementAndGet();
            server.touch();
        });
    }

    /** The monitor socket of a store, named by the store and the settings its containers are started with. */
    public static Path socket(Path root) {
        String key = root.toAbsolutePath().normalize() + "\0" + System.getProperty("jbox.cgroup", String.valueOf(System.getenv("JBOX_CGROUP")))
                + "\0" + System.getProperty("jbox.proc", String.valueOf(System.getenv("JBOX_PROC")));
        return Places.runDir().resolve("monitors").resolve(jbox.image.Digest.of(key.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16) + ".sock");
    }

    /** Serves start requests on socket until no container has run for a while; ready is told once it listens. */
    public static int serve(Engine engine, Runnable ready) throws IOException {
        // the CLI that started this monitor holds the lock until it is connected
        try (LingeringServer server = LingeringServer.listen(socket(engine.root()), LINGER_MILLIS)) {
            Monitor m = new Monitor(engine, server);
            ready.run();
            server.serve(m::answer, () -> m.running.get() > 0, m::giveBackWhenQuiet);
            return 0;
        }
    }

    private boolean givenBack;

    /** Memory that starting a batch of containers took is given back once the requests stop (the containers run on). */
    private void giveBackWhenQuiet() {
        long quiet = server.quietFor();
        if (quiet < LINGER_MILLIS) givenBack = false;
        else if (!givenBack) {
            givenBack = true;
            jbox.sys.Sys.giveBackMemory();
        }
    }

    /** One request: {"start": ID}; the answer {"started": true} or the failure's words. */
    private void answer(SocketChannel conn) {
        try (conn) {
            conn.configureBlocking(true);
            JsonNode req = Json.MAPPER.readTree(readLine(conn));
            Map<String, Object> reply = new LinkedHashMap<>();
            try {
                supervisor.start(req.path("start").asText());
                running.incrementAndGet();
                reply.put("started", true);
            } catch (Failure e) {
                reply.put("exitCode", e.exitCode());
                reply.put("error", e.getMessage());
                reply.put("cause", e.likelyCause());
                reply.put("fix", e.fix());
            } catch (RuntimeException e) {
                reply.put("exitCode", 125);
                reply.put("error", String.valueOf(e.getMessage()));
                e.printStackTrace(); // the monitor's log, for a report
            }
            conn.write(ByteBuffer.wrap(Json.line(reply)));
        } catch (IOException e) {
            // the CLI went away; a container it asked for runs on
        }
    }

    private static byte[] readLine(SocketChannel conn) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (buf.hasRemaining()) {
            if (conn.read(buf) < 0) break;
            if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') break;
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    /**
     * The CLI's side: asks the store's monitor to start container id, starting a monitor first
     * with spawn when none listens. Returns when the container runs; a failure to start it is
     * thrown as the monitor saw it.
     */
    public static void start(Path root, String id, Spawner spawn) {
        Path socket = socket(root);
        try {
            LingeringServer.privateDir(socket);
            try (SocketChannel conn = connectOrSpawn(socket, spawn)) {
                conn.write(ByteBuffer.wrap(Json.line(Map.of("start", id))));
                byte[] line = readLine(conn);
                if (line.length == 0) {
                    throw new Failure("the monitor process ended while starting container " + id, "it crashed or was killed",
                            "see " + root.resolve("monitor.log") + " and start the container again");
                }
                JsonNode reply = Json.MAPPER.readTree(line);
                if (reply.path("started").asBoolean()) return;
                throw new Failure(reply.path("exitCode").asInt(125), reply.path("error").asText(),
                        reply.path("cause").isTextual() ? reply.path("cause").asText() : "the container could not be started",
                        reply.path("fix").isTextual() ? reply.path("fix").asText() : "fix the cause above and start it again", null);
            }
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot reach the monitor of the background containers (" + socket + ")");
        }
    }

    private static SocketChannel connectOrSpawn(Path socket, Spawner spawn) throws IOException {
        try (FileLock ignored = FileLock.acquire(LingeringServer.lockOf(socket))) {
            SocketChannel conn = LingeringServer.connect(socket);
            if (conn != null) return conn;
            spawn.start();
            conn = LingeringServer.connect(socket);
            if (conn == null) throw new IOException("the monitor started but does not listen on " + socket);
            return conn;
        }
    }

    /** Starts a monitor process and returns once it listens (or throws why it did not). */
    public interface Spawner {
        void start() throws IOException;
    }
}
