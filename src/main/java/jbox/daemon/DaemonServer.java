package jbox.daemon;

import jbox.api.Versions;
import jbox.engine.Engine;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The API served on a Unix socket. A connection costs a thread only while a request is being
 * answered: one I/O thread accepts connections and watches every idle one, and reads each request's
 * head as it trickles in, with a selector; once a head is complete a worker (at most
 * {@link #MAX_WORKERS}) reads the body, answers, and hands the connection back. So thousands of idle
 * or slow clients hold no thread, a long logs --follow or attach holds one, and a client that sends
 * its head or body too slowly (slowloris) is cut off by the timeouts. The same server runs as
 * `jbox daemon` and, on a private socket, inside a jbox command when no daemon runs.
 */
public final class DaemonServer implements AutoCloseable {
    static final int MAX_WORKERS = 512;
    /** Connections waiting to be accepted: a burst of clients waits here instead of being refused. */
    static final int BACKLOG = 4096;
    /** Beyond this many open connections new ones are closed at once: descriptors stay for containers. */
    static final int MAX_CONNECTIONS = 10_000;

    /** How long a client may take (JBOX_API_TIMEOUTS=header,body,idle in seconds changes them, for tests). */
    record Timeouts(long headerMillis, long bodyMillis, long idleMillis) {
        static Timeouts fromEnvironment() {
            String v = System.getenv("JBOX_API_TIMEOUTS");
            if (v == null || v.isBlank()) return new Timeouts(60_000, 60_000, 600_000);
            String[] p = v.split(",");
            return new Timeouts(Long.parseLong(p[0].trim()) * 1000, Long.parseLong(p[1].trim()) * 1000, Long.parseLong(p[2].trim()) * 1000);
        }
    }

    private final Path socket;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Router router;
    private final Map<String, String> headers;
    private final Timeouts timeouts = Timeouts.fromEnvironment();
    private final ThreadPoolExecutor workers = new ThreadPoolExecutor(0, MAX_WORKERS, 3, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "jbox-api");
        t.setDaemon(true);
        return t;
    });
    /** Connections a worker finished with, to be watched again by the I/O thread. */
    private final Queue<HttpConnection> returning = new ConcurrentLinkedQueue<>();
    /** Every open connection, for the timeouts and the limit. */
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final Supervisor supervisor;
    private volatile boolean closed;

    /**
     * @param startDetached how a container nobody is attached to is started (a monitor process), or null to own it here
     * @param trace         gets one line per request, or null
     * @param facts         what info reports about this server
     */
    public DaemonServer(Engine engine, Path socket, Consumer<String> startDetached, Consumer<String> trace, Map<String, Object> facts)
            throws IOException {
        this.socket = socket;
        this.supervisor = new Supervisor(engine, startDetached);
        this.router = RouteTable.of(engine, supervisor, facts, trace);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Api-Version", Versions.API);
        h.put("Docker-Experimental", "false");
        h.put("Ostype", "linux");
        h.put("Server", "jbox/" + jbox.Version.NUMBER + " (linux)");
        this.headers = h;
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
        listener.configureBlocking(false);
        selector = Selector.open();
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    public Supervisor supervisor() { return supervisor; }

    public Path socket() { return socket; }

    /** After a busy spell, the quiet time after which the server gives back the memory it no longer uses. */
    private static final long QUIET_MILLIS = 5000;
    /** When the last request came; 0 once the memory of the spell before it was given back. */
    private volatile long busySince;

    /** Accepts and watches connections until closed. */
    public void serve() {
        long lastTick = System.currentTimeMillis();
        try {
            while (!closed) {
                selector.select(1000);
                for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
                    selector.selectedKeys().remove(key);
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else if (key.isReadable()) readable(key);
                }
                HttpConnection back;
                while ((back = returning.poll()) != null) watch(back);
                long now = System.currentTimeMillis();
                if (now - lastTick >= 500) {
                    lastTick = now;
                    enforceTimeouts(now);
                    long busy = busySince;
                    if (busy > 0 && now - busy > QUIET_MILLIS) {
                        busySince = 0;
                        jbox.sys.Sys.giveBackMemory(); // a thousand runs leave a heap and C heap sized for them
                    }
                }
            }
        } catch (ClosedSelectorException e) {
            // closed while waiting
        } catch (IOException e) {
            if (!closed) throw new java.io.UncheckedIOException(e);
        }
    }

    public void serveInBackground() {
        Thread t = new Thread(this::serve, "jbox-api-io");
        t.setDaemon(true);
        t.start();
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = listener.accept()) != null) {
            if (open.size() >= MAX_CONNECTIONS) {
                ch.close();
                continue;
            }
            HttpConnection c = new HttpConnection(ch, router, headers, this);
            open.add(c);
            watch(c);
        }
    }

    /** The I/O thread watches a connection between requests and while its next head arrives. */
    private void watch(HttpConnection c) {
        try {
            if (c.headComplete()) { // a pipelined request came with the last one
                handOff(c, null);
                return;
            }
            c.channel().configureBlocking(false);
            c.channel().register(selector, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            drop(c);
        }
    }

    private void readable(SelectionKey key) {
        HttpConnection c = (HttpConnection) key.attachment();
        try {
            if (c.readHead()) handOff(c, key);
        } catch (IOException e) {
            key.cancel();
            drop(c);
        }
    }

    /** A whole request head is here: a worker answers it in blocking mode. */
    private void handOff(HttpConnection c, SelectionKey key) throws IOException {
        busySince = System.currentTimeMillis();
        if (key != null) {
            key.cancel();
            selector.selectNow(); // deregisters it, so the channel may block again
        }
        c.channel().configureBlocking(true);
        try {
            workers.execute(c);
        } catch (RejectedExecutionException e) {
            c.refuseBusy(MAX_WORKERS);
            drop(c);
        }
    }

    /** A worker is done with the connection; null when it was closed or taken over (attach). */
    void giveBack(HttpConnection c) {
        if (closed) {
            drop(c);
            return;
        }
        returning.add(c);
        selector.wakeup();
    }

    void drop(HttpConnection c) {
        open.remove(c);
        c.close();
    }

    /** Slow heads and bodies, and connections idle for too long, are closed. */
    private void enforceTimeouts(long now) {
        for (HttpConnection c : open) {
            String why = c.overdue(now, timeouts);
            if (why != null) drop(c);
        }
    }

    @Override
    public void close() {
        closed = true;
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
        selector.wakeup();
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (HttpConnection c : List.copyOf(open)) drop(c);
        workers.shutdownNow();
    }
}
