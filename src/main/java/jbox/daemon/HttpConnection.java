package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.sys.Failure;
import jbox.io.Json;

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
 * One client connection. Between requests, and while a request's head arrives, the server's I/O
 * thread reads it without blocking ({@link #readHead}); once the head is whole a worker thread
 * runs {@link #run}: reads the body, lets the router answer, and gives the connection back for the
 * next request unless a handler took it over. Sizes are bounded so a broken or hostile client
 * cannot make the daemon hold unbounded memory, and times are bounded ({@link #overdue}) so a slow
 * one cannot hold anything for long.
 */
final class HttpConnection implements Runnable {
    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final SocketChannel channel;
    private final Router router;
    private final Map<String, String> serverHeaders;
    private final DaemonServer server;
    /** What the I/O thread read of the next request (and whatever followed it). */
    private byte[] pending = new byte[0];
    /** When the first byte of the head now arriving came (0: none yet), and since when it has been idle. */
    private long firstByteAt;
    private long idleSince = System.currentTimeMillis();
    /** While a worker reads this request's head or body: the time of the last progress (0: not reading). */
    private volatile long readingSince;
    private volatile boolean inWorker;
    private InputStream in;
    private OutputStream out;
    /** What the client sent while a handler was asking whether it is still there: its next request, read before the socket. */
    private byte[] early = new byte[0];

    HttpConnection(SocketChannel channel, Router router, Map<String, String> serverHeaders, DaemonServer server) {
        this.channel = channel;
        this.router = router;
        this.serverHeaders = serverHeaders;
        this.server = server;
    }

    SocketChannel channel() { return channel; }

    /** I/O thread: reads what has arrived; true once a whole head is here. EOF or an oversized head closes the connection. */
    boolean readHead() throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(16 * 1024);
        int n = channel.read(buf);
        if (n < 0) throw new java.io.EOFException("the client closed the connection");
        if (n == 0) return false;
        if (firstByteAt == 0) firstByteAt = System.currentTimeMillis();
        byte[] more = java.util.Arrays.copyOf(pending, pending.length + n);
        System.arraycopy(buf.array(), 0, more, pending.length, n);
        pending = more;
        if (headComplete()) return true;
        if (pending.length > MAX_HEADER_BYTES) {
            refuse(431, "request headers larger than " + MAX_HEADER_BYTES + " bytes");
            throw new IOException("oversized head");
        }
        return false;
    }

    /** Whether the bytes read so far hold a whole request head (ended by an empty line). */
    boolean headComplete() {
        for (int i = 0; i + 1 < pending.length; i++) {
            if (pending[i] == '\n' && (pending[i + 1] == '\n' || i + 2 < pending.length && pending[i + 1] == '\r' && pending[i + 2] == '\n')) return true;
        }
        return false;
    }

    /** Why the connection should be closed now, or null: a head or body too slow to arrive, or idle too long. */
    String overdue(long now, DaemonServer.Timeouts t) {
        if (inWorker) {
            long since = readingSince;
            return since > 0 && now - since > t.bodyMillis() ? "no progress in the request body" : null;
        }
        if (firstByteAt > 0) return now - firstByteAt > t.headerMillis() ? "request head too slow" : null;
        return now - idleSince > t.idleMillis() ? "idle" : null;
    }

    /** Every worker is busy: said plainly, with the connection closed after it. */
    void refuseBusy(int workers) {
        refuse(503, "the daemon is answering " + workers + " requests already; try again in a moment");
    }

    /** A short error answer written without blocking (it fits the socket's buffer), before the connection is closed. */
    private void refuse(int status, String message) {
        try {
            byte[] body = Json.bytes(ApiErrors.body(new Failure(message, "too many or too large requests at once", "send smaller requests, or fewer at a time")
                    .httpStatus(status)));
            String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            channel.write(java.nio.ByteBuffer.wrap((head + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do for this connection
        }
    }

    /** Worker: answers requests until the next one has not arrived yet; then the I/O thread watches the connection again. */
    @Override
    public void run() {
        inWorker = true;
        boolean keep = false;
        try {
            if (in == null) {
                out = new BufferedOutputStream(jbox.http.SocketStreams.out(channel), 16 * 1024);
            }
            in = new BufferedInputStream(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(pending), watched(jbox.http.SocketStreams.in(channel))), 16 * 1024);
            pending = new byte[0];
            while (true) {
                ApiRequest req;
                readingSince = System.currentTimeMillis();
                try {
                    req = readRequest();
                } catch (BadRequest e) {
                    Reply r = new Reply(false);
                    r.json(e.status, ApiErrors.body(new Failure(e.getMessage(), "the client sent a malformed or oversized request",
                            "send a valid HTTP/1.1 request").httpStatus(e.status)));
                    return;
                }
                if (req == null) return;
                readingSince = 0;
                if (req.stream != null) {
                    readingSince = System.currentTimeMillis(); // an upload must keep coming until its end
                    req = new ApiRequest(req.method, req.target, req.headers, req.body, untilEnd(req.stream));
                }
                // A streamed body may be left half-read by a failing handler: such a connection is not reused.
                boolean keepAlive = !"close".equalsIgnoreCase(req.headers.get("connection")) && req.stream == null;
                Reply reply = new Reply(req.method.equals("HEAD"));
                router.dispatch(req, reply);
                if (req.stream != null) drain(req.stream);
                readingSince = 0;
                if (reply.status == 0) reply.empty(204);
                if (reply.hijacked) return; // the handler owns the connection now, and closes it
                if (!keepAlive) return;
                if (in.available() == 0) { // the next request has not begun: wait for it without a thread
                    keep = true;
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away (or was cut off by a timeout); its container goes on
        } finally {
            readingSince = 0;
            inWorker = false;
            if (keep) {
                firstByteAt = 0;
                idleSince = System.currentTimeMillis();
                server.giveBack(this);
            } else if (!hijackedHere) {
                server.drop(this);
            }
        }
    }

    private boolean hijackedHere;

    /**
     * The rest of an upload a handler refused part-way (a full disk, a bad Dockerfile): read and thrown
     * away, up to a bound, so the client finishes sending and reads the answer instead of a broken pipe.
     */
    private static void drain(InputStream body) {
        byte[] buf = new byte[64 * 1024];
        long left = 256L << 20;
        try {
            for (int n; left > 0 && (n = body.read(buf)) > 0; ) left -= n;
        } catch (IOException e) {
            // the client gave up: nothing to wait for
        }
    }

    /** Worker: a look at the socket without blocking; true at its end of file (or error). */
    private boolean clientGone() {
        if (early.length > MAX_HEADER_BYTES) return false; // a client that keeps sending is there
        try {
            channel.configureBlocking(false);
            try {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
                int n = channel.read(buf);
                if (n > 0) {
                    byte[] more = java.util.Arrays.copyOf(early, early.length + n);
                    System.arraycopy(buf.array(), 0, more, early.length, n);
                    early = more;
                }
                return n < 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    /** The socket's input, marking progress while a request is being read. */
    private InputStream watched(InputStream raw) {
        return new jbox.io.BlockInputStream() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (early.length > 0 && len > 0) {
                    int n = Math.min(len, early.length);
                    System.arraycopy(early, 0, b, off, n);
                    early = java.util.Arrays.copyOfRange(early, n, early.length);
                    return n;
                }
                int n = raw.read(b, off, len);
                if (n > 0 && readingSince > 0) readingSince = System.currentTimeMillis();
                return n;
            }
        };
    }

    /** A streamed request body: once it has all arrived, the time limit no longer applies (a build then runs as long as it takes). */
    private InputStream untilEnd(InputStream body) {
        return new jbox.io.BlockInputStream() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = body.read(b, off, len);
                if (n < 0) readingSince = 0;
                return n;
            }

            @Override
            public void close() throws IOException {
                readingSince = 0;
                body.close();
            }
        };
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
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            String earlier = headers.put(name, value);
            if (name.equals("content-length") && earlier != null && !earlier.equals(value)) {
                throw new BadRequest(400, "two different Content-Length headers (" + earlier + " and " + value + "): the body's length is ambiguous");
            }
        }
        byte[] body;
        if (ApiRequest.streamsBody(parts[0], parts[1])) {
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            long n;
            try {
                n = chunked ? -1 : Long.parseLong(headers.getOrDefault("content-length", "0"));
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad Content-Length: " + headers.get("content-length"));
            }
            return new ApiRequest(parts[0], parts[1], headers, new byte[0], chunked ? new jbox.http.HttpBodies.Chunked(in) : new jbox.http.HttpBodies.Bounded(in, n));
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
        private final Map<String, String> extra = new java.util.LinkedHashMap<>();
        int status;
        boolean hijacked;

        Reply(boolean head) { this.head = head; }

        @Override
        public void header(String name, String value) { extra.put(name, value); }

        @Override
        public int status() { return status; }

        @Override
        public boolean clientGone() { return HttpConnection.this.clientGone(); }

        private void begin(int status) {
            if (this.status != 0) throw new IllegalStateException("already answered with " + this.status);
            this.status = status;
        }

        private void writeHead(int status, Map<String, String> headers) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
            serverHeaders.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            extra.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void json(int status, Object body) throws IOException {
            bytes(status, "application/json", Json.line(body));
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
            return new jbox.http.ChunkedOutputStream(out);
        }

        @Override
        public Hijacked hijack(String contentType) throws IOException {
            begin(101);
            hijacked = true;
            hijackedHere = true;
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
                    server.drop(HttpConnection.this);
                }

                @Override
                public void close() {
                    try {
                        out.flush();
                    } catch (IOException ignored) {
                        // client gone
                    }
                    server.drop(HttpConnection.this);
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
            case 503 -> "Service Unavailable";
            case 431 -> "Request Header Fields Too Large";
            default -> status >= 500 ? "Internal Server Error" : "Status";
        };
    }
}
