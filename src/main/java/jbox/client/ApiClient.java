package jbox.client;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.http.HttpBodies;
import jbox.api.Versions;
import jbox.sys.Failure;
import jbox.io.Json;

import java.io.BufferedInputStream;
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
        public OutputStream requestBody() { return jbox.http.SocketStreams.out(channel); }

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
        SocketChannel ch = connect();
        try {
            byte[] body = jsonBody == null ? new byte[0] : Json.bytes(jsonBody);
            StringBuilder head = new StringBuilder(method).append(' ').append("/v").append(Versions.API).append(path).append(" HTTP/1.1\r\n")
                    .append("Host: jbox\r\nUser-Agent: jbox/").append(jbox.Version.NUMBER).append("\r\n");
            if (jsonBody != null) head.append("Content-Type: application/json\r\n");
            extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append(upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n");
            head.append("\r\n");
            OutputStream out = jbox.http.SocketStreams.out(ch);
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(jbox.http.SocketStreams.in(ch), 16 * 1024);
            return readResponse(ch, in);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            if (e instanceof Failure ee) throw ee;
            throw new Failure("the jbox daemon broke off the request " + method + " " + path + ": " + e.getMessage(),
                    "the daemon stopped or crashed while answering", "look at the daemon's output, and try again");
        }
    }

    private SocketChannel connect() {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            throw new Failure("Cannot connect to the jbox daemon at unix://" + socket + " (" + e.getMessage() + ")",
                    "the daemon is not running, or this user may not use its socket", "start it with: sudo jbox daemon, or unset JBOX_HOST to run jbox without it");
        }
    }

    private static Response readResponse(SocketChannel ch, InputStream in) throws IOException {
        String status = HttpBodies.line(in);
        if (status == null || !status.startsWith("HTTP/1.")) throw new IOException("no HTTP response from the daemon");
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = HttpBodies.line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        InputStream bodyIn = code == 101 || code == 204 || code == 304 ? (code == 101 ? in : InputStream.nullInputStream())
                : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new HttpBodies.Chunked(in)
                : headers.containsKey("content-length") ? new HttpBodies.Bounded(in, Long.parseLong(headers.get("content-length"))) : in;
        return new Response(code, headers, bodyIn, ch);
    }

    /** Writes a request body as it is made. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Sends a body made while it is sent (docker build's context tar), in chunks, with no temp file
     * that a killed command would leave behind; the response is read by the caller.
     */
    public Response upload(String path, Body body) {
        SocketChannel ch = connect();
        try {
            OutputStream out = jbox.http.SocketStreams.out(ch);
            String head = "POST /v" + Versions.API + path + " HTTP/1.1\r\nHost: jbox\r\nContent-Type: application/x-tar\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            jbox.http.ChunkedOutputStream chunks = new jbox.http.ChunkedOutputStream(out);
            java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(chunks, 64 * 1024);
            InputStream in = new BufferedInputStream(jbox.http.SocketStreams.in(ch), 16 * 1024);
            try {
                body.writeTo(buffered);
                buffered.flush();
                chunks.close(); // the last chunk; the connection stays open for the answer
            } catch (IOException sending) {
                // The daemon stopped reading because it refused the request (a full disk, say): its answer says why.
                try {
                    return readResponse(ch, in);
                } catch (IOException noAnswer) {
                    throw sending;
                }
            }
            return readResponse(ch, in);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new Failure("cannot send the request body to the daemon: " + e.getMessage(), "a file is unreadable or the daemon stopped",
                    "check and try again");
        }
    }

    /** Sends a file as the body (docker load), streamed; the response is read by the caller. */
    public Response upload(String path, Path file) {
        return upload(path, out -> java.nio.file.Files.copy(file, out));
    }

    /** A call whose answer is JSON (or nothing); an error status becomes the daemon's explanation. */
    /**
     * A name as one segment of a request path: percent-encoded, so a name with a space, a ';' or a '?'
     * reaches the daemon as typed (which refuses it with a clear error) instead of breaking the request.
     */
    public static String seg(String name) { return encode(name, false); }

    /** An image reference in a path: its slashes stay (the daemon's image routes take the rest of the path). */
    public static String imageSeg(String name) { return encode(name, true); }

    private static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~:@".indexOf(c) >= 0 || keepSlash && c == '/')) out.append(c);
            else out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    public JsonNode call(String method, String path, Object jsonBody) {
        try (Response r = send(method, path, jsonBody, false)) {
            byte[] b = r.body.readAllBytes();
            if (r.status >= 400) throw error(r.status, b);
            return b.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(b);
        } catch (IOException e) {
            throw new Failure("cannot read the daemon's answer to " + method + " " + path + ": " + e.getMessage(),
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
                throw new Failure("the daemon answered " + r.status + " to " + method + " " + path, null, null);
            }
        }
        return r;
    }

    static Failure error(int status, byte[] body) {
        try {
            return ApiErrors.fromBody(status, Json.MAPPER.readValue(body, Map.class));
        } catch (IOException e) {
            return new Failure("the daemon answered " + status + ": " + new String(body, StandardCharsets.UTF_8).trim(), null, null);
        }
    }
}
