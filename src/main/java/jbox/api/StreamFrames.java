package jbox.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream (attach, logs and exec without a tty): each piece of output is
 * framed by 8 bytes, [stream, 0, 0, 0, size as 4 bytes big-endian], stream 1 = stdout, 2 = stderr.
 * With a tty there is one stream and no frames.
 */
public final class StreamFrames {
    public static final int STDOUT = 1, STDERR = 2;
    public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    public static final String RAW = "application/vnd.docker.raw-stream";

    private StreamFrames() {}

    public static void write(OutputStream out, int stream, byte[] data, int len) throws IOException {
        byte[] head = {(byte) stream, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        synchronized (out) {
            out.write(head);
            out.write(data, 0, len);
            out.flush();
        }
    }

    /** One frame read back: its stream and bytes; null at the end. */
    public record Frame(int stream, byte[] data) {}

    public static Frame read(InputStream in) throws IOException {
        byte[] head = in.readNBytes(8);
        if (head.length < 8) return null;
        int len = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
        byte[] data = in.readNBytes(len);
        if (data.length < len) return null;
        return new Frame(head[0], data);
    }

    public static String name(int stream) { return stream == STDERR ? "stderr" : "stdout"; }

    public static int number(String name) { return "stderr".equals(name) ? STDERR : STDOUT; }
}
