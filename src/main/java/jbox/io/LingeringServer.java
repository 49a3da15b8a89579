package jbox.io;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A helper process's Unix socket that serves while it is used and ends a while after: the store's
 * monitor of background containers, the OCI runtime's service. Its socket is in a 0700
 * directory, with one lock file there for every socket in it; a helper listens under the lock and
 * takes it again to stop, so a client that connects under the lock (or that retries when a
 * connection is closed unanswered) never loses a request to a helper on its way out.
 */
public final class LingeringServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel listener;
    private final long lingerMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivity = System.currentTimeMillis();

    private LingeringServer(Path socket, ServerSocketChannel listener, long lingerMillis) {
        this.socket = socket;
        this.listener = listener;
        this.lingerMillis = lingerMillis;
    }

    /** The directory of the sockets, made 0700 when missing. */
    public static Path privateDir(Path socket) throws IOException {
        Path dir = socket.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process made it
            }
        }
        return dir;
    }

    /** One lock for every socket in the directory (a lock file per socket would be left behind). */
    public static Path lockOf(Path socket) { return socket.resolveSibling("lock"); }

    /** A connection to a listening socket, or null when nothing listens there (none, or a killed helper's). */
    public static SocketChannel connect(Path socket) throws IOException {
        if (!Files.exists(socket)) return null;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (java.net.ConnectException | java.nio.file.NoSuchFileException e) {
            ch.close();
            return null;
        }
    }

    /**
     * Listens on socket, replacing one a killed helper left. Call it with the lock held (so the
     * directory {@link #privateDir} made is there), by this process or by the one that started it
     * and waits for it to listen.
     */
    public static LingeringServer listen(Path socket, long lingerMillis) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(socket));
            listener.configureBlocking(false);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return new LingeringServer(socket, listener, lingerMillis);
    }

    /** Counts as use, as a connection does (the monitor: a container that ended). */
    public void touch() { lastActivity = System.currentTimeMillis(); }

    /** How long nothing has happened, in milliseconds. */
    public long quietFor() { return System.currentTimeMillis() - lastActivity; }

    /**
     * Answers each connection with handler on a thread of its own, until no connection is being
     * answered, busy is false and nothing happened for the linger time; then removes the socket.
     * whileQuiet runs now and then between connections (giving memory back).
     */
    public void serve(Consumer<SocketChannel> handler, BooleanSupplier busy, Runnable whileQuiet) throws IOException {
        try (Selector selector = Selector.open()) {
            listener.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                selector.select(Math.max(1, lingerMillis / 4));
                selector.selectedKeys().clear();
                if (acceptAll(handler)) continue;
                whileQuiet.run();
                if (inFlight.get() > 0 || busy.getAsBoolean() || quietFor() <= lingerMillis) continue;
                try (FileLock ignored = FileLock.acquire(lockOf(socket))) {
                    if (acceptAll(handler)) continue; // came while we took the lock
                    Files.deleteIfExists(socket);
                    return;
                }
            }
        }
    }

    private boolean acceptAll(Consumer<SocketChannel> handler) throws IOException {
        boolean any = false;
        for (SocketChannel c; (c = listener.accept()) != null; ) {
            any = true;
            inFlight.incrementAndGet();
            touch();
            SocketChannel conn = c;
            Thread t = new Thread(() -> {
                try {
                    handler.accept(conn);
                } finally {
                    touch();
                    inFlight.decrementAndGet();
                }
            }, "jbox-request");
            t.setDaemon(true);
            t.start();
        }
        return any;
    }

    @Override
    public void close() throws IOException { listener.close(); }
}
