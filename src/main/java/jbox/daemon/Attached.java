package jbox.daemon;

import jbox.api.StreamFrames;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiPredicate;

/**
 * One client attached to a process's stdio over a hijacked connection. Output is queued and
 * written by its own thread, so a slow client never holds up the container, its log or other
 * clients: a client that falls a whole queue behind is dropped.
 */
final class Attached implements Pump.Sink {
    private static final int QUEUE = 1024;
    private static final byte[] END = new byte[0];

    private record Chunk(int stream, byte[] data) {}

    private volatile Exchange.Hijacked conn;
    private final boolean tty;
    private final boolean stdout;
    private final boolean stderr;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean dropped;

    /** Output is queued from now on; it reaches the client once {@link #connect} gives the connection. */
    Attached(boolean tty, boolean stdout, boolean stderr) {
        this.tty = tty;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts sending to the client. The attachment is registered before the client hears that
     * it is attached, so a start that follows at once cannot miss it.
     */
    Attached connect(Exchange.Hijacked conn) {
        this.conn = conn;
        Thread t = new Thread(this::writeLoop, "jbox-attach-out");
        t.setDaemon(true);
        t.start();
        return this;
    }

    @Override
    public void write(int stream, byte[] data, int len) throws IOException {
        if (dropped) throw new IOException("client gone");
        if (stream == StreamFrames.STDOUT && !stdout || stream == StreamFrames.STDERR && !stderr) return;
        if (!queue.offer(new Chunk(stream, java.util.Arrays.copyOf(data, len)))) {
            dropped = true;
            if (conn != null) conn.abort();
            throw new IOException("client too slow; dropped");
        }
    }

    @Override
    public void end() {
        try {
            queue.put(new Chunk(0, END));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        OutputStream out = conn.out();
        try {
            while (true) {
                Chunk c = queue.take();
                if (c.data == END) break;
                if (tty) {
                    out.write(c.data);
                    out.flush();
                } else {
                    StreamFrames.write(out, c.stream, c.data, c.data.length);
                }
            }
        } catch (IOException | InterruptedException e) {
            dropped = true;
        } finally {
            done.countDown();
        }
    }

    /** Copies what the client sends to stdin until it half-closes or goes; then onEnd. */
    void copyInput(BiPredicate<byte[], Integer> stdin, Runnable onEnd) {
        Thread t = new Thread(() -> {
            InputStream in = conn.in();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (!stdin.test(buf, n)) break;
                }
            } catch (IOException e) {
                // the client went away: like end of input
            } finally {
                onEnd.run();
            }
        }, "jbox-attach-in");
        t.setDaemon(true);
        t.start();
    }

    /** Waits until all output is written, then ends the connection. */
    void awaitAndClose() {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        conn.close();
    }
}
