package jbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The daemon under many clients, on a private socket: thousands of idle connections and a few dozen
 * slowloris ones hold no thread and do not stop /_ping from answering; a head or body that stops
 * arriving is cut off; a burst of clients all get in; an ambiguous request is refused.
 */
class DaemonLoadTest extends RealEngineTest {
    private JboxDaemon daemon;
    private int server;

    @BeforeAll
    void startDaemon() throws Exception {
        jbox.env.put("JBOX_API_TIMEOUTS", "3,3,600"); // head, body, idle (s): short, so the test sees them act
        daemon = new JboxDaemon(jbox);
        server = daemon.pids()[0];
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon != null) daemon.close();
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(daemon.socket));
        return ch;
    }

    /** /_ping on a connection of its own; fails the test if no answer comes within 10 s. */
    private void ping() throws Exception {
        var answer = CompletableFuture.supplyAsync(() -> {
            try {
                return daemon.raw("GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n").status();
            } catch (IOException e) {
                return -1;
            }
        });
        assertEquals(200, answer.get(10, TimeUnit.SECONDS), "/_ping answers");
    }

    @Test
    void twoThousandIdleConnectionsHoldNoThreadAndPingStillAnswers() throws Exception {
        long threadsBefore = JboxDaemon.threads(server);
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) idle.add(connect());
            for (int i = 0; i < 10; i++) ping();
            long threads = JboxDaemon.threads(server);
            assertTrue(threads < threadsBefore + 20, "2000 idle connections, " + threads + " threads (" + threadsBefore + " before)");
            // and a request on an old idle connection is still answered: they are kept, not dropped
            SocketChannel first = idle.get(0);
            first.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(4096);
            assertTrue(first.read(b) > 0);
            assertTrue(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"), "an idle connection is served");
        } finally {
            for (SocketChannel ch : idle) ch.close();
        }
    }

    @Test
    void slowHeadsAndBodiesAreCutOffWhilePingAnswers() throws Exception {
        List<SocketChannel> slow = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            SocketChannel ch = connect();
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)));
            slow.add(ch);
        }
        SocketChannel body = connect();
        body.write(ByteBuffer.wrap("POST /containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Image\":".getBytes(StandardCharsets.US_ASCII)));
        AtomicInteger cut = new AtomicInteger();
        long start = System.nanoTime();
        // The slowloris way: one more byte of the head now and then, never the end of it.
        while (cut.get() < slow.size() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
            for (SocketChannel ch : slow) {
                if (!ch.isOpen()) continue;
                try {
                    ch.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    ch.close(); // the daemon closed it
                    cut.incrementAndGet();
                }
            }
            ping();
        }
        assertEquals(slow.size(), cut.get(), "every slowloris connection was cut off");
        ByteBuffer b = ByteBuffer.allocate(64);
        body.configureBlocking(true);
        assertEquals(-1, CompletableFuture.supplyAsync(() -> {
            try {
                return body.read(b);
            } catch (IOException e) {
                return -1;
            }
        }).get(15, TimeUnit.SECONDS), "a body that stops coming is cut off too");
        body.close();
    }

    @Test
    void aBurstOfClientsAllGetIn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(200);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                answers.add(pool.submit(() -> daemon.raw("GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n").status()));
            }
            int ok = 0;
            for (Future<Integer> f : answers) if (f.get(60, TimeUnit.SECONDS) == 200) ok++;
            assertEquals(600, ok, "no client was refused or dropped");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoDifferentContentLengthsAreRefused() throws Exception {
        JboxDaemon.Reply r = daemon.raw("POST /v1.41/containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 17\r\n\r\n{}");
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("two different Content-Length headers (2 and 17)"), r.body());
        JboxDaemon.Reply same = daemon.raw("POST /v1.41/containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals(400, same.status(), "the same length twice is read (and the empty create refused for its own reason): " + same.body());
        assertTrue(same.body().contains("no image given"), same.body());
    }
}
