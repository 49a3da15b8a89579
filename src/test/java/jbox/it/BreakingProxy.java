package jbox.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * A proxy in front of a real registry that damages blob downloads on purpose: it flips a byte
 * of every blob (a corrupted registry), or cuts the first download of each blob halfway (a
 * dropped connection). Manifests and everything else pass through unchanged.
 */
final class BreakingProxy implements AutoCloseable {
    enum Mode { PASS, FLIP, CUT_ONCE }

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String upstream;
    volatile Mode mode = Mode.PASS;
    private final java.util.Set<String> cut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger rangeRequests = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger patches = new java.util.concurrent.atomic.AtomicInteger();

    BreakingProxy(String upstreamHost) throws IOException {
        this.upstream = "http://" + upstreamHost;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String host() { return "127.0.0.1:" + server.getAddress().getPort(); }

    private void handle(HttpExchange ex) throws IOException {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()));
            for (String h : List.of("Accept", "Range", "Authorization", "Content-Type")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) b.header(h, v);
            }
            if (ex.getRequestHeaders().getFirst("Range") != null) rangeRequests.incrementAndGet();
            if (ex.getRequestMethod().equals("PATCH")) patches.incrementAndGet();
            for (String h : List.of("Content-Range")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) b.header(h, v);
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            r.headers().map().forEach((k, vs) -> {
                if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding") && !k.equalsIgnoreCase("connection")) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v.replace(upstream, "http://" + host())));
                }
            });
            byte[] out = r.body();
            String path = ex.getRequestURI().getPath();
            boolean blob = path.contains("/blobs/sha256:") && ex.getRequestMethod().equals("GET") && out.length > 100;
            if (blob && mode == Mode.FLIP) {
                out = out.clone();
                out[out.length / 2] ^= 0x55;
            }
            if (blob && mode == Mode.CUT_ONCE && r.statusCode() == 200 && cut.add(path)) {
                ex.sendResponseHeaders(200, out.length);
                OutputStream o = ex.getResponseBody();
                o.write(out, 0, out.length / 2);
                o.flush();
                ex.close();
                return;
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(r.statusCode(), head || out.length == 0 ? -1 : out.length);
            if (!head && out.length > 0) ex.getResponseBody().write(out);
            ex.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        }
    }

    @Override
    public void close() { server.stop(0); }
}
