package jbox.client;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.api.Versions;
import jbox.engine.EngineException;
import jbox.image.Json;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * jbox's side of the Docker Engine API: HTTP/1.1 over a Unix socket, one connection per call
 * (cheap on a local socket, and a hijacked attach needs its own anyway).
 */
public final class ApiClient {
    private final Path socket;
    private final String description;

    /** @param description for jbox info: "daemon at unix:///run/jbox/jbox.sock" or "in this process" */
    public ApiClient(Path socket, String description) {
        this.socket = socket;
        this.description = description;
    }

    public String description() { return description; }

    public Path socket() { return socket; }

    /** A response whose body is read as it arrives. */
    public static final class Response implements AutoCloseable {
        public final int status;
        public final Map<String, String> headers;
        public final InputStream body;
        private final SocketChannel channel;

        Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.channel = channel;
        }

        /** For a hijacked connection: what jbox sends to the process (stdin). */
        public OutputStream requestBody() { return jbox.api.SocketStreams.out(channel); }

        /** Tells the daemon there is no more input (the process sees end of file). */
        public void closeRequestBody() throws IOException { channel.shutdownOutput(); }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** Sends a request; the response headers are read, the body is left to the caller. */
    public Response send(String method, String path, Object jsonBody, boolean upgrade) { return send(method, path, jsonBody, upgrade, Map.of()); }

    /** @param extraHeaders e.g. X-Registry-Auth for a pull or push */
    public Response send(String method, String path, Object jsonBody, boolean upgrade, Map<String, String> extraHeaders) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new EngineException("Cannot connect to the jbox daemon at unix://" + socket + " (" + e.getMessage() + ")",
                    "the daemon is not running, or this user may not use its socket", "start it with: sudo jbox daemon, or unset JBOX_HOST to run jbox without it");
        }
        try {
            byte[] body = jsonBody == null ? new byte[0] : Json.bytes(jsonBody);
            StringBuilder head = new StringBuilder(method).append(' ').append("/v").append(Versions.API).append(path).append(" HTTP/1.1\r\n")
                    .append("Host: jbox\r\nUser-Agent: jbox/").append(Versions.JBOX).append("\r\n");
            if (jsonBody != null) head.append("Content-Type: application/json\r\n");
            extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append(upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n");
            head.append("\r\n");
            OutputStream out = jbox.api.SocketStreams.out(ch);
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(jbox.api.SocketStreams.in(ch), 16 * 1024);
            String status = line(in);
            if (status == null || !status.startsWith("HTTP/1.")) throw new IOException("no HTTP response from the daemon");
            int code = Integer.parseInt(status.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while ((h = line(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            InputStream bodyIn = code == 101 || code == 204 || code == 304 ? (code == 101 ? in : InputStream.nullInputStream())
                    : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new ChunkedInputStream(in)
                    : headers.containsKey("content-length") ? new BoundedInputStream(in, Long.parseLong(headers.get("content-length"))) : in;
            return new Response(code, headers, bodyIn, ch);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            if (e instanceof EngineException ee) throw ee;
            throw new EngineException("the jbox daemon broke off the request " + method + " " + path + ": " + e.getMessage(),
                    "the daemon stopped or crashed while answering", "look at the daemon's output, and try again");
        }
    }

    /** A call whose answer is JSON (or nothing); an error status becomes the daemon's explanation. */
    public JsonNode call(String method, String path, Object jsonBody) {
        try (Response r = send(method, path, jsonBody, false)) {
            byte[] b = r.body.readAllBytes();
            if (r.status >= 400) throw error(r.status, b);
            return b.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(b);
        } catch (IOException e) {
            throw new EngineException("cannot read the daemon's answer to " + method + " " + path + ": " + e.getMessage(),
                    "the daemon stopped while answering", "try again");
        }
    }

    /** A streaming call (logs, pull, stats, attach): the caller reads r.body and closes r. */
    public Response open(String method, String path, Object jsonBody, boolean upgrade) { return open(method, path, jsonBody, upgrade, Map.of()); }

    public Response open(String method, String path, Object jsonBody, boolean upgrade, Map<String, String> extraHeaders) {
        Response r = send(method, path, jsonBody, upgrade, extraHeaders);
        if (r.status >= 400) {
            try (r) {
                throw error(r.status, r.body.readAllBytes());
            } catch (IOException e) {
                throw new EngineException("the daemon answered " + r.status + " to " + method + " " + path, null, null);
            }
        }
        return r;
    }

    static EngineException error(int status, byte[] body) {
        try {
            return ApiErrors.fromBody(status, Json.MAPPER.readValue(body, Map.class));
        } catch (IOException e) {
            return new EngineException("the daemon answered " + status + ": " + new String(body, StandardCharsets.UTF_8).trim(), null, null);
        }
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0 && b.size() == 0) return null;
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** A body of Content-Length bytes. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int c = in.read();
            if (c >= 0) left--;
            return c;
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
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) { this.in = in; }

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
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
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
