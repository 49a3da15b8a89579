package jbox.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 chunked transfer encoding; every write is sent at once, so streams reach the client live. */
public final class ChunkedOutputStream extends OutputStream {
    private final OutputStream out;
    private boolean closed;

    public ChunkedOutputStream(OutputStream out) { this.out = out; }

    @Override
    public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
