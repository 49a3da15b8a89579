package jbox.daemon;

import jbox.api.Router;
import jbox.api.Versions;
import jbox.engine.Engine;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The API served on a Unix socket: accepts connections and gives each its own thread, so a
 * slow or stuck client (a long logs --follow, an attach) never holds up the others. The same
 * server runs as `jbox daemon` and, on a private socket, inside a jbox command when no daemon runs.
 */
public final class DaemonServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel listener;
    private final Router router;
    private final Map<String, String> headers;
    /** A thread per connection; idle ones end after a few seconds, so a burst of clients leaves nothing behind. */
    private final ExecutorService connections = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 3, java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "jbox-api");
                t.setDaemon(true);
                return t;
            });
    private final Supervisor supervisor;

    /**
     * @param startDetached how a container nobody is attached to is started (a monitor process), or null to own it here
     * @param trace         gets one line per request, or null
     * @param facts         what info reports about this server
     */
    public DaemonServer(Engine engine, Path socket, Consumer<String> startDetached, Consumer<String> trace, Map<String, Object> facts)
            throws IOException {
        this.socket = socket;
        this.supervisor = new Supervisor(engine, startDetached);
        this.router = new Router(trace);
        new SystemRoutes(engine, facts).register(router);
        new ContainerRoutes(supervisor).register(router);
        new ExecRoutes(engine, new Execs(engine)).register(router);
        new ImageRoutes(engine).register(router);
        new BuildRoutes(engine).register(router);
        new VolumeRoutes(engine).register(router);
        new NetworkRoutes(engine).register(router);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Api-Version", Versions.API);
        h.put("Docker-Experimental", "false");
        h.put("Ostype", "linux");
        h.put("Server", "jbox/" + Versions.JBOX + " (linux)");
        this.headers = h;
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
    }

    public Supervisor supervisor() { return supervisor; }

    public Path socket() { return socket; }

    /** Accepts until closed. */
    public void serve() {
        while (true) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!listener.isOpen()) return;
                continue; // out of fds for a moment, say: the next accept may work
            }
            connections.execute(new HttpConnection(ch, router, headers));
        }
    }

    public void serveInBackground() {
        Thread t = new Thread(this::serve, "jbox-accept");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket is replaced on the next start
        }
        connections.shutdownNow();
    }
}
