package jbox.client;

import jbox.api.Versions;
import jbox.http.HttpBodies;
import jbox.io.Json;
import jbox.sys.Failure;

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
 * The Docker Engine API of a daemon: HTTP/1.1 over its Unix socket, one connection per call
 * (cheap on a local socket, and a hijacked attach needs its own anyway).
 */
public final class SocketClient extends ApiClient {
    private final Path socket;
    private final String description;

    /** @param description for jbox info: "daemon at unix:///run/jbox/jbox.sock" */
    public SocketClient(Path socket, String description) {
        this.socket = socket;
        this.description = description;
    }

    @Override
    public String description() { return description; }

    @Override
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
        return new Response(code, headers, bodyIn, jbox.http.SocketStreams.out(ch), ch::shutdownOutput, ch);
    }

    /** The body goes in HTTP chunks as it is made. */
    @Override
    public Response upload(String method, String path, Body body) {
        SocketChannel ch = connect();
        try {
            OutputStream out = jbox.http.SocketStreams.out(ch);
            String head = method + " /v" + Versions.API + path + " HTTP/1.1\r\nHost: jbox\r\nContent-Type: application/x-tar\r\n"
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
}
