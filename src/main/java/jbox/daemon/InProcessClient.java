package jbox.daemon;

import jbox.api.Versions;
import jbox.client.ApiClient;
import jbox.engine.Engine;
import jbox.io.Json;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The API for a jbox command when no daemon runs: the daemon's routes, called in this process.
 * A request goes to the router as it is; the answer comes back through memory (a JSON body) or a
 * pipe (a stream, an attach), with no server, socket or HTTP. Each request is answered on a
 * thread of its own, as a daemon's worker answers it, so a stream is read while it is written.
 */
public final class InProcessClient extends ApiClient {
    private final Router router;
    private final String description;

    /**
     * @param startDetached how a container nobody is attached to is started (a monitor process)
     * @param facts         what info reports about this API
     */
    public InProcessClient(Engine engine, Consumer<String> startDetached, Map<String, Object> facts, String description) {
        this.router = RouteTable.of(engine, new Supervisor(engine, startDetached), facts, null);
        this.description = description;
    }

    @Override
    public String description() { return description; }

    @Override
    public Response send(String method, String path, Object jsonBody, boolean upgrade, Map<String, String> extraHeaders) {
        Map<String, String> headers = headers(extraHeaders);
        if (jsonBody != null) headers.put("content-type", "application/json");
        if (upgrade) {
            headers.put("connection", "Upgrade");
            headers.put("upgrade", "tcp");
        }
        byte[] body = jsonBody == null ? new byte[0] : Json.bytes(jsonBody);
        return answer(new ApiRequest(method, "/v" + Versions.API + path, headers, body));
    }

    @Override
    public Response upload(String method, String path, Body body) {
        Map<String, String> headers = headers(Map.of());
        headers.put("content-type", "application/x-tar");
        Pipe pipe = open();
        IOException[] failed = new IOException[1];
        Thread writer = new Thread(() -> {
            try (OutputStream out = Channels.newOutputStream(pipe.sink())) {
                body.writeTo(out);
            } catch (IOException e) {
                failed[0] = e; // the handler stopped reading (it refused the request), or the body could not be made
            }
        }, "jbox-api-upload");
        writer.setDaemon(true);
        writer.start();
        InputStream source = Channels.newInputStream(pipe.source());
        // A body that could not be made whole must not look like a short one: its end is an error.
        InputStream checked = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = source.read(b, off, len);
                if (n < 0) {
                    joinQuietly(writer);
                    if (failed[0] != null) throw new IOException("the request body was cut off: " + failed[0].getMessage(), failed[0]);
                }
                return n;
            }

            @Override
            public void close() throws IOException { source.close(); }
        };
        Response r = answer(new ApiRequest(method, "/v" + Versions.API + path, headers, new byte[0], checked));
        return r;
    }

    private static Map<String, String> headers(Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("host", "jbox");
        h.put("user-agent", "jbox/" + jbox.Version.NUMBER);
        extra.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return h;
    }

    private Response answer(ApiRequest req) {
        Answer ex = new Answer();
        Thread t = new Thread(() -> {
            try {
                router.dispatch(req, ex);
                if (ex.status() == 0) ex.empty(204);
            } catch (IOException | RuntimeException e) {
                ex.failed(e); // the reader went away mid-stream, as a client that hangs up
            } finally {
                if (req.stream != null) {
                    try {
                        req.stream.close(); // stops an upload the handler did not read to the end
                    } catch (IOException ignored) {
                        // closed already
                    }
                }
            }
        }, "jbox-api");
        t.setDaemon(true);
        t.start();
        try {
            return ex.head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + req, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Pipe open() {
        try {
            return Pipe.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a pipe for the answer", e);
        }
    }

    private static Closeable both(Closeable a, Closeable b) {
        return () -> {
            try {
                a.close();
            } finally {
                b.close();
            }
        };
    }

    /** The answer side of one request, handed to the caller when the handler begins its reply. */
    private static final class Answer implements Exchange {
        final CompletableFuture<Response> head = new CompletableFuture<>();
        private final Map<String, String> extra = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile int status;

        @Override
        public void header(String name, String value) { extra.put(name.toLowerCase(java.util.Locale.ROOT), value); }

        @Override
        public int status() { return status; }

        private void begin(int s) {
            if (status != 0) throw new IllegalStateException("already answered with " + status);
            status = s;
        }

        void failed(Exception e) {
            if (!head.isDone()) head.completeExceptionally(e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e));
        }

        private Map<String, String> type(String contentType) {
            Map<String, String> m = new java.util.HashMap<>(extra);
            m.put("content-type", contentType);
            return m;
        }

        @Override
        public void json(int s, Object body) throws IOException { bytes(s, "application/json", Json.bytes(body)); }

        @Override
        public void empty(int s) { bytesAnswer(s, Map.copyOf(extra), new byte[0]); }

        @Override
        public void bytes(int s, String contentType, byte[] body) { bytesAnswer(s, type(contentType), body); }

        private void bytesAnswer(int s, Map<String, String> headers, byte[] body) {
            begin(s);
            head.complete(new Response(s, headers, new ByteArrayInputStream(body), OutputStream.nullOutputStream(), () -> {}, () -> {}));
        }

        @Override
        public OutputStream stream(int s, String contentType) {
            begin(s);
            Pipe p = open();
            head.complete(new Response(s, type(contentType), Channels.newInputStream(p.source()), OutputStream.nullOutputStream(), () -> {},
                    p.source()));
            return Channels.newOutputStream(p.sink());
        }

        @Override
        public Hijacked hijack(String contentType) {
            begin(101);
            Pipe toProcess = open();
            Pipe fromProcess = open();
            head.complete(new Response(101, type(contentType), Channels.newInputStream(fromProcess.source()),
                    Channels.newOutputStream(toProcess.sink()), toProcess.sink(), both(fromProcess.source(), toProcess.sink())));
            InputStream in = Channels.newInputStream(toProcess.source());
            OutputStream out = Channels.newOutputStream(fromProcess.sink());
            return new Hijacked() {
                @Override
                public InputStream in() { return in; }

                @Override
                public OutputStream out() { return out; }

                @Override
                public void closeOutput() throws IOException { fromProcess.sink().close(); }

                @Override
                public void close() {
                    try {
                        both(fromProcess.sink(), toProcess.source()).close();
                    } catch (IOException ignored) {
                        // closed already
                    }
                }

                @Override
                public void abort() { close(); }
            };
        }
    }
}
