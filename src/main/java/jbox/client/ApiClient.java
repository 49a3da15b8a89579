package jbox.client;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.io.Json;
import jbox.sys.Failure;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * jbox's side of the Docker Engine API: every jbox command is a client of it, as the docker CLI
 * is. Two ways to reach it: a daemon's socket ({@link SocketClient}), or, when no daemon runs,
 * the daemon's own routes called in this process (jbox.daemon.InProcessClient), with no server,
 * socket or HTTP in between. The same routes answer either way, so the output is the same.
 */
public abstract class ApiClient {
    /** For jbox info: where the answers come from. */
    public abstract String description();

    /**
     * Sends a request; the response's status and headers are there, its body is left to the caller.
     *
     * @param extraHeaders e.g. X-Registry-Auth for a pull or push
     */
    public abstract Response send(String method, String path, Object jsonBody, boolean upgrade, Map<String, String> extraHeaders);

    /**
     * Sends a tar made while it is sent (docker build's context, docker cp's files) with method (POST,
     * PUT), with no temp file that a killed command would leave behind; the response is read by the caller.
     */
    public abstract Response upload(String method, String path, Body body);

    /** A response whose body is read as it arrives. */
    public static final class Response implements AutoCloseable {
        public final int status;
        public final Map<String, String> headers;
        public final InputStream body;
        private final OutputStream requestBody;
        private final Closeable endOfInput;
        private final Closeable connection;

        /**
         * @param headers     with lower-case names
         * @param requestBody for a hijacked connection: what goes to the process (stdin)
         * @param endOfInput  closes requestBody's side only
         */
        public Response(int status, Map<String, String> headers, InputStream body, OutputStream requestBody, Closeable endOfInput, Closeable connection) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.requestBody = requestBody;
            this.endOfInput = endOfInput;
            this.connection = connection;
        }

        /** For a hijacked connection: what jbox sends to the process (stdin). */
        public OutputStream requestBody() { return requestBody; }

        /** Tells the daemon there is no more input (the process sees end of file). */
        public void closeRequestBody() throws IOException { endOfInput.close(); }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    public Response send(String method, String path, Object jsonBody, boolean upgrade) { return send(method, path, jsonBody, upgrade, Map.of()); }

    /** Writes a request body as it is made. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Sends a file as the body (docker load), streamed; the response is read by the caller. */
    public Response upload(String path, Path file) {
        return upload("POST", path, out -> java.nio.file.Files.copy(file, out));
    }

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

    /** A call whose answer is JSON (or nothing); an error status becomes the daemon's explanation. */
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
