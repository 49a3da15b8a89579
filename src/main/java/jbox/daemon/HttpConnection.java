package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.api.ApiRequest;
import jbox.api.Exchange;
import jbox.api.Router;
import jbox.engine.EngineException;
import jbox.image.Json;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One client connection: reads HTTP/1.1 requests, lets the router answer each, and keeps the
 * connection for the next request unless a handler took it over. Sizes are bounded so a broken
 * or hostile client cannot make the daemon hold unbounded memory.
 */
final class HttpConnection implements Runnable {
    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final SocketChannel channel;
    private final Router router;
    private final Map<String, String> serverHeaders;
    private final InputStream in;
    private final OutputStream out;

    HttpConnection(SocketChannel channel, Router router, Map<String, String> serverHeaders) {
        this.channel = channel;
        this.router = router;
        this.serverHeaders = serverHeaders;
        this.in = new BufferedInputStream(jbox.api.SocketStreams.in(channel), 16 * 1024);
        this.out = new BufferedOutputStream(jbox.api.SocketStreams.out(channel), 16 * 1024);
    }

    @Override
    public void run() {
        try {
            while (true) {
                ApiRequest req;
                try {
                    req = readRequest();
                } catch (BadRequest e) {
                    Reply r = new Reply(false);
                    r.json(e.status, ApiErrors.body(new EngineException(e.getMessage(), "the client sent a malformed or oversized request",
                            "send a valid HTTP/1.1 request").httpStatus(e.status)));
                    return;
                }
                if (req == null) return;
                // A streamed body may be left half-read by a failing handler: such a connection is not reused.
                boolean keepAlive = !"close".equalsIgnoreCase(req.headers.get("connection")) && req.stream == null;
                Reply reply = new Reply(req.method.equals("HEAD"));
                router.dispatch(req, reply);
                if (reply.status == 0) reply.empty(204);
                if (reply.hijacked || !keepAlive) return;
            }
        } catch (IOException e) {
            // the client went away; its container goes on
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do for this connection
            }
        }
    }

    private static final class BadRequest extends IOException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private ApiRequest readRequest() throws IOException {
        String line = readLine(true);
        if (line == null) return null;
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) throw new BadRequest(400, "malformed request line: " + abbreviate(line));
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        while (true) {
            String h = readLine(false);
            if (h == null) throw new IOException("connection closed in the headers");
            if (h.isEmpty()) break;
            headerBytes += h.length();
            if (headerBytes > MAX_HEADER_BYTES) throw new BadRequest(431, "request headers larger than " + MAX_HEADER_BYTES + " bytes");
            int colon = h.indexOf(':');
            if (colon <= 0) throw new BadRequest(400, "malformed header: " + abbreviate(h));
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        byte[] body;
        if (ApiRequest.streamsBody(parts[0], parts[1])) {
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            long n = chunked ? -1 : Long.parseLong(headers.getOrDefault("content-length", "0"));
            return new ApiRequest(parts[0], parts[1], headers, new byte[0], chunked ? new jbox.api.HttpBodies.Chunked(in) : new jbox.api.HttpBodies.Bounded(in, n));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked();
        } else if (headers.containsKey("content-length")) {
            long n;
            try {
                n = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad Content-Length: " + headers.get("content-length"));
            }
            if (n < 0 || n > MAX_BODY_BYTES) throw new BadRequest(413, "request body of " + n + " bytes is larger than the limit of " + MAX_BODY_BYTES);
            body = in.readNBytes((int) n);
            if (body.length != n) throw new IOException("connection closed in the body");
        } else {
            body = new byte[0];
        }
        return new ApiRequest(parts[0], parts[1], headers, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            String size = readLine(false);
            if (size == null) throw new IOException("connection closed in a chunked body");
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad chunk size: " + abbreviate(size));
            }
            if (n == 0) {
                while (true) {
                    String trailer = readLine(false);
                    if (trailer == null || trailer.isEmpty()) return b.toByteArray();
                }
            }
            if (b.size() + (long) n > MAX_BODY_BYTES) throw new BadRequest(413, "request body larger than the limit of " + MAX_BODY_BYTES);
            b.write(in.readNBytes(n));
            readLine(false);
        }
    }

    /** A CRLF (or LF) terminated line; null at a clean end of stream before any byte. */
    private String readLine(boolean allowEof) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.size() == 0 && allowEof) return null;
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            if (c == '\n') break;
            if (b.size() > MAX_HEADER_BYTES) throw new BadRequest(431, "header line longer than " + MAX_HEADER_BYTES + " bytes");
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String abbreviate(String s) { return s.length() > 80 ? s.substring(0, 80) + "..." : s; }

    /** The answer to one request. */
    private final class Reply implements Exchange {
        private final boolean head;
        int status;
        boolean hijacked;

        Reply(boolean head) { this.head = head; }

        @Override
        public int status() { return status; }

        private void begin(int status) {
            if (this.status != 0) throw new IllegalStateException("already answered with " + this.status);
            this.status = status;
        }

        private void writeHead(int status, Map<String, String> headers) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
            serverHeaders.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void json(int status, Object body) throws IOException {
            byte[] bytes = Json.bytes(body);
            byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            withNewline[bytes.length] = '\n';
            bytes(status, "application/json", withNewline);
        }

        @Override
        public void bytes(int status, String contentType, byte[] body) throws IOException {
            begin(status);
            writeHead(status, Map.of("Content-Type", contentType, "Content-Length", String.valueOf(body.length)));
            if (!head) out.write(body);
            out.flush();
        }

        @Override
        public void empty(int status) throws IOException {
            begin(status);
            writeHead(status, status == 204 || status == 304 ? Map.of() : Map.of("Content-Length", "0"));
            out.flush();
        }

        @Override
        public OutputStream stream(int status, String contentType) throws IOException {
            begin(status);
            writeHead(status, Map.of("Content-Type", contentType, "Transfer-Encoding", "chunked"));
            out.flush();
            return new jbox.api.ChunkedOutputStream(out);
        }

        @Override
        public Hijacked hijack(String contentType) throws IOException {
            begin(101);
            hijacked = true;
            writeHead(101, Map.of("Content-Type", contentType, "Connection", "Upgrade", "Upgrade", "tcp"));
            out.flush();
            return new Hijacked() {
                @Override
                public InputStream in() { return in; }

                @Override
                public OutputStream out() { return out; }

                @Override
                public void closeOutput() throws IOException {
                    out.flush();
                    channel.shutdownOutput();
                }

                @Override
                public void abort() {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }

                @Override
                public void close() {
                    try {
                        out.flush();
                    } catch (IOException ignored) {
                        // client gone
                    }
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            };
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 101 -> "UPGRADED";
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 431 -> "Request Header Fields Too Large";
            default -> status >= 500 ? "Internal Server Error" : "Status";
        };
    }
}
