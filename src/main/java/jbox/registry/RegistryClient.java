package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.image.Digest;
import jbox.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One registry, spoken to in the OCI distribution API (/v2/...) with the JDK's HTTP client.
 * Authentication follows the registry's challenge: a 401 with "WWW-Authenticate: Basic" is
 * answered with the user's credentials; "Bearer realm=...,service=...,scope=..." sends them to
 * the token service named by realm, and the token is kept per scope until it expires.
 * Transient failures (connection errors, 429, 5xx) are retried with a growing delay.
 */
public final class RegistryClient {
    /** key="value", where a value may hold commas and spaces (scope="repository:a/b:pull,push"). */
    private static final Pattern PARAM = Pattern.compile("(\\w+)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final int ATTEMPTS = 4;

    private final String host;
    private final URI base;
    private final RegistryAuth auth;
    private final HttpClient http;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile String basic;

    private record Token(String value, Instant expires) {}

    public RegistryClient(String host, RegistryAuth auth) {
        this.host = host;
        // Docker Hub's API lives at registry-1.docker.io, not at docker.io.
        this.base = URI.create((insecure(host) ? "http://" : "https://") + (host.equals("docker.io") ? "registry-1.docker.io" : host));
        this.auth = auth;
        this.http = Shared.HTTP;
    }

    /**
     * One HTTP client for the whole process: each client owns a selector thread and a pool of connections
     * that live until it is garbage-collected, so a client per pull left threads behind in the daemon and
     * paid the TLS set-up again every time.
     */
    private static final class Shared {
        static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(15)).build();
    }

    /** Registries on this machine speak plain HTTP, as docker, podman and skopeo assume for 127.0.0.0/8. */
    static boolean insecure(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.indexOf(']')) : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    public String host() { return host; }

    /** A manifest or index as the registry sent it. */
    public record Fetched(byte[] bytes, String mediaType, Digest digest) {}

    public Fetched manifest(String repo, String reference) throws IOException {
        HttpRequest.Builder b = request("/v2/" + repo + "/manifests/" + reference)
                .header("Accept", String.join(", ", jbox.image.MediaTypes.OCI_INDEX, jbox.image.MediaTypes.OCI_MANIFEST,
                        jbox.image.MediaTypes.DOCKER_LIST, jbox.image.MediaTypes.DOCKER_MANIFEST));
        HttpResponse<byte[]> r = send(b, pullScope(repo), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) throw new RegistryException(404, "manifest unknown: " + host + "/" + repo + ":" + reference,
                "the repository or the tag does not exist in that registry", "check the name and the tag");
        check(r, "GET manifest " + repo + ":" + reference);
        String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        Digest digest = Digest.of(r.body());
        if (reference.startsWith("sha256:") && !digest.toString().equals(reference)) {
            throw new RegistryException(502, "the manifest " + host + "/" + repo + "@" + reference + " the registry sent hashes to " + digest,
                    "the registry or something between is corrupting data", "try again; report it to the registry's owner if it repeats");
        }
        return new Fetched(r.body(), type, digest);
    }

    /**
     * A blob's bytes as they arrive; the caller checks the digest while storing. Redirects to blob
     * storage are followed. If the connection breaks in the middle, the rest is asked for again
     * from where it broke (an HTTP Range request), a few times, so a long download is not lost.
     */
    public InputStream blob(String repo, Digest digest) throws IOException {
        return new ResumingStream(repo, digest);
    }

    private InputStream openBlob(String repo, Digest digest, long from) throws IOException {
        HttpRequest.Builder b = request("/v2/" + repo + "/blobs/" + digest);
        if (from > 0) b.header("Range", "bytes=" + from + "-");
        HttpResponse<InputStream> r = send(b, pullScope(repo), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() >= 300) {
            r.body().close();
            if (r.statusCode() == 404) throw new RegistryException(404, "blob unknown: " + digest + " in " + host + "/" + repo,
                    "the registry lost a layer its manifest names", "push the image again");
            check(r, "GET blob " + digest);
        }
        if (from > 0 && r.statusCode() != 206) {
            r.body().close();
            throw new RegistryException(502, "the download of " + digest + " broke off and " + host + " cannot resume it (no Range support)",
                    "the connection dropped", "pull again");
        }
        return r.body();
    }

    /** A blob download that picks up where it broke off. */
    private final class ResumingStream extends jbox.io.BlockInputStream {
        private static final int RESUMES = 3;
        private final String repo;
        private final Digest digest;
        private InputStream in;
        private long position;
        private int resumes;

        ResumingStream(String repo, Digest digest) throws IOException {
            this.repo = repo;
            this.digest = digest;
            this.in = openBlob(repo, digest, 0);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) position += n;
                    return n;
                } catch (IOException e) {
                    if (e instanceof RegistryException || resumes++ >= RESUMES) throw e;
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // it is broken already
                    }
                    in = openBlob(repo, digest, position);
                }
            }
        }

        @Override
        public void close() throws IOException { in.close(); }
    }

    public boolean hasBlob(String repo, Digest digest) throws IOException {
        HttpResponse<Void> r = send(request("/v2/" + repo + "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                pushScope(repo), HttpResponse.BodyHandlers.discarding());
        return r.statusCode() == 200;
    }

    /**
     * Uploads a blob: asks for an upload (offering to mount it from another repository of the
     * same registry, which skips the transfer), then sends it whole and names its digest.
     */
    public String upload(String repo, Digest digest, long size, java.util.function.Supplier<InputStream> content, String mountFrom) throws IOException {
        String start = "/v2/" + repo + "/blobs/uploads/" + (mountFrom != null ? "?mount=" + digest + "&from=" + URLEncoder.encode(mountFrom, StandardCharsets.UTF_8) : "");
        HttpResponse<Void> r = send(request(start).POST(HttpRequest.BodyPublishers.noBody()), pushScope(repo) + (mountFrom != null ? " repository:" + mountFrom + ":pull" : ""),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 201) return "Mounted from " + mountFrom;
        check(r, "start an upload to " + repo);
        String location = r.headers().firstValue("Location").orElseThrow(() -> new IOException("the registry gave no upload location"));
        long chunk = chunkSize();
        if (size > chunk) {
            try (InputStream in = content.get()) {
                location = sendChunks(repo, location, in, size, chunk);
            }
        }
        URI put = base.resolve(location);
        String sep = put.getQuery() == null ? "?" : "&";
        URI target = URI.create(put + sep + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        // A whole upload reopens the blob for each attempt, so a retry sends it from its start.
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(30)).header("Content-Type", "application/octet-stream")
                .PUT(size > chunk ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size));
        check(send(b, pushScope(repo), HttpResponse.BodyHandlers.ofString()), "upload blob " + digest);
        return "Pushed";
    }

    /** Blobs larger than this go up in PATCH chunks of this size (JBOX_UPLOAD_CHUNK bytes; default 8 MiB). */
    private static long chunkSize() {
        String v = System.getenv("JBOX_UPLOAD_CHUNK");
        return v == null || v.isBlank() ? 8L << 20 : Long.parseLong(v.trim());
    }

    /** A chunked upload: PATCH after PATCH, each naming its byte range, each answered with where to send the next. */
    private String sendChunks(String repo, String location, InputStream in, long size, long chunk) throws IOException {
        long sent = 0;
        byte[] buf = new byte[(int) Math.min(chunk, Integer.MAX_VALUE - 8)];
        while (sent < size) {
            int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, size - sent));
            if (n <= 0) throw new IOException("the blob ended after " + sent + " of " + size + " bytes");
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(location)).timeout(Duration.ofMinutes(10))
                    .header("Content-Type", "application/octet-stream").header("Content-Range", sent + "-" + (sent + n - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(buf, 0, n));
            HttpResponse<String> r = send(b, pushScope(repo), HttpResponse.BodyHandlers.ofString());
            check(r, "upload a chunk of " + repo);
            location = r.headers().firstValue("Location").orElse(location);
            sent += n;
        }
        return location;
    }

    public void putManifest(String repo, String tag, byte[] manifest, String mediaType) throws IOException {
        HttpRequest.Builder b = request("/v2/" + repo + "/manifests/" + tag).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest));
        check(send(b, pushScope(repo), HttpResponse.BodyHandlers.ofString()), "put manifest " + repo + ":" + tag);
    }

    /** GET /v2/: whether the registry is there and accepts these credentials. */
    public void ping() throws IOException {
        check(send(request("/v2/"), null, HttpResponse.BodyHandlers.ofString()), "log in to " + host);
    }

    private static String pullScope(String repo) { return "repository:" + repo + ":pull"; }

    private static String pushScope(String repo) { return "repository:" + repo + ":pull,push"; }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10)).header("User-Agent", "jbox/" + jbox.Version.NUMBER);
    }

    /** Sends with what authorization is known, answers a challenge once, and retries transient failures. */
    private <T> HttpResponse<T> send(HttpRequest.Builder b, String scope, HttpResponse.BodyHandler<T> handler) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> r = http.send(authorized(b.copy(), scope), handler);
                if (r.statusCode() == 401) {
                    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                    close(r);
                    answer(challenge, scope);
                    r = http.send(authorized(b.copy(), scope), handler);
                    if (r.statusCode() == 401) {
                        close(r);
                        throw new RegistryException(401, "unauthorized: " + host + " refused " + (auth == null ? "anonymous access" : "the credentials of " + auth.username()),
                                auth == null ? "this registry needs a login" : "wrong user name or password, or no access to this repository",
                                "jbox login " + host);
                    }
                }
                if ((r.statusCode() == 429 || r.statusCode() >= 500) && attempt < ATTEMPTS) {
                    close(r);
                    backOff(attempt);
                    continue;
                }
                return r;
            } catch (java.net.ConnectException e) {
                last = e;
                if (unresolved(e)) break; // no name, no point in waiting for it
            } catch (IOException e) {
                if (e instanceof RegistryException) throw e;
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
            if (attempt < ATTEMPTS) backOff(attempt);
        }
        throw new RegistryException(503, "cannot reach the registry " + host + ": " + describe(last),
                "the registry is not running there, or the network is down", "check the address (and that the registry runs), then try again");
    }

    private static String describe(Throwable e) {
        if (unresolved(e)) return "no such host (or no DNS here)";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) return "connection refused";
            if (t.getMessage() != null) return t.getMessage();
        }
        return "no answer";
    }

    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) return true;
        }
        return false;
    }

    private static void close(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // discarding it anyway
            }
        }
    }

    private static void backOff(int attempt) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(200L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private HttpRequest authorized(HttpRequest.Builder b, String scope) {
        Token t = tokens.get(scope == null ? "" : scope);
        if (t != null && t.expires.isAfter(Instant.now())) b.header("Authorization", "Bearer " + t.value);
        else if (basic != null) b.header("Authorization", basic);
        return b.build();
    }

    /** The key="value" pairs of a WWW-Authenticate challenge: Bearer realm="...",service="...",scope="...". */
    static Map<String, String> challengeParams(String challenge) {
        Map<String, String> p = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) p.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
        return p;
    }

    private void answer(String challenge, String scope) throws IOException, InterruptedException {
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            if (auth == null) return; // the retry fails with a clear "needs a login"
            basic = "Basic " + Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            throw new RegistryException(401, "the registry " + host + " asks for an authentication jbox does not know: " + challenge,
                    "jbox answers Basic and Bearer (token) challenges only", "use a registry with one of those, or a docker CLI with a credential helper");
        }
        Map<String, String> p = challengeParams(challenge);
        String realm = p.get("realm");
        if (realm == null) throw new RegistryException(401, "the registry's token challenge names no realm: " + challenge,
                "the registry's auth setup is incomplete (its token realm is missing)", "ask the registry's owner to set auth.token.realm");
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (p.containsKey("service")) url.append("service=").append(URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8));
        String wanted = scope != null ? scope : p.get("scope");
        if (wanted != null) for (String s : wanted.split(" ")) url.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30));
        if (auth != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException(401, "unauthorized: the token service of " + host + " refused " + (auth == null ? "anonymous access" : "the credentials of " + auth.username()),
                    "wrong user name or password, or no access to this repository", "jbox login " + host);
        }
        if (r.statusCode() != 200) throw new RegistryException(502, "the token service " + realm + " answered " + r.statusCode(),
                "the token service failed or is overloaded", "try again; if it repeats, ask the registry's owner");
        JsonNode n = Json.MAPPER.readTree(r.body());
        String token = n.hasNonNull("token") ? n.get("token").asText() : n.path("access_token").asText(null);
        if (token == null) throw new RegistryException(502, "the token service " + realm + " sent no token",
                "the token service answered without a \"token\" or \"access_token\" field", "try again; if it repeats, ask the registry's owner");
        int seconds = n.path("expires_in").asInt(60);
        // Refreshed a little early, so a token never runs out in the middle of a request.
        tokens.put(scope == null ? "" : scope, new Token(token, Instant.now().plusSeconds(Math.max(5, seconds - 5))));
    }

    private void check(HttpResponse<?> r, String what) throws IOException {
        if (r.statusCode() < 300) return;
        String body = r.body() instanceof String s ? s : r.body() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "";
        String message = body;
        try {
            JsonNode errors = Json.MAPPER.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) message = errors.get(0).path("code").asText() + ": " + errors.get(0).path("message").asText();
        } catch (IOException ignored) {
            // not JSON: say what it was
        }
        throw new RegistryException(r.statusCode(), what + " failed: " + host + " answered " + r.statusCode() + (message.isBlank() ? "" : " (" + message.trim() + ")"),
                r.statusCode() == 404 ? "the repository or tag does not exist there" : "the registry refused the request", "check the name, your login and the registry");
    }
}
