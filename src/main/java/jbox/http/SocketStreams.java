package jbox.http;

import jbox.io.BlockInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a socket channel that can be read and written at the same time from two
 * threads (attach copies input one way while output flows the other). The JDK's
 * Channels.newInputStream/newOutputStream take the same lock for both, so a blocked read would
 * hold up every write.
 */
public final class SocketStreams {
    private SocketStreams() {}

    public static InputStream in(SocketChannel ch) {
        return new BlockInputStream() {

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    public static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) ch.write(buf);
            }
        };
    }
}
