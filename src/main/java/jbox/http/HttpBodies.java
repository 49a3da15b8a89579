package jbox.http;

import jbox.io.BlockInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 message bodies read as they arrive: lines, Content-Length bodies and chunked bodies (client and server). */
public final class HttpBodies {
    private HttpBodies() {}

    public static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0 && b.size() == 0) return null;
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** A body of Content-Length bytes. */
    public static final class Bounded extends BlockInputStream {
        private final InputStream in;
        private long left;

        public Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }

    /** A chunked body, decoded as it arrives. */
    public static final class Chunked extends BlockInputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        public Chunked(InputStream in) { this.in = in; }

        private boolean next() throws IOException {
            if (done) return false;
            if (chunkLeft == 0) {
                String size = line(in);
                if (size == null) {
                    done = true;
                    return false;
                }
                if (size.isEmpty()) size = line(in); // the CRLF after the previous chunk
                if (size == null) {
                    done = true;
                    return false;
                }
                int semi = size.indexOf(';');
                chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (chunkLeft == 0) {
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (!next()) return -1;
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                done = true;
                return -1;
            }
            chunkLeft -= n;
            return n;
        }
    }
}
