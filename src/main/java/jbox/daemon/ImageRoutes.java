package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.api.ImageJson;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.engine.Errors;
import jbox.image.Image;
import jbox.image.Reference;
import jbox.registry.RegistryAuth;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** /images/...: list, pull (streamed progress), inspect, remove. */
final class ImageRoutes {
    private final Engine engine;

    ImageRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("POST", "/images/prune", "ImageRoutes.prune", this::prune).add("GET", "/images/json", "ImageRoutes.list", this::list)
                .add("POST", "/images/create", "ImageRoutes.pull", this::pull)
                .add("GET", "/images/{name*}/json", "ImageRoutes.inspect", this::inspect)
                .add("POST", "/images/{name*}/push", "ImageRoutes.push", this::push)
                .add("POST", "/images/{name*}/tag", "ImageRoutes.tag", this::tag)
                .add("POST", "/auth", "ImageRoutes.login", this::login)
                .add("GET", "/images/get", "ImageRoutes.save", this::save)
                .add("GET", "/images/{name*}/get", "ImageRoutes.save", this::save)
                .add("POST", "/images/load", "ImageRoutes.load", this::load)
                .add("DELETE", "/images/{name*}", "ImageRoutes.remove", this::remove);
    }

    private static final java.util.Set<String> LIST_FILTERS = java.util.Set.of("reference", "dangling", "label", "before", "since");

    /** docker images [REPOSITORY[:TAG]] and --filter reference=, dangling=, label=, before=, since=. */
    private void list(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        jbox.api.Filters f = jbox.api.Filters.parse(req.query("filters", ""), LIST_FILTERS);
        Boolean dangling = f.bool("dangling");
        String before = f.has("before") ? created(f.get("before").get(0)) : null;
        String since = f.has("since") ? created(f.get("since").get(0)) : null;
        List<Object> out = new ArrayList<>();
        for (Image i : engine.images().list()) {
            String created = i.config().created() == null ? "" : i.config().created();
            if (!f.any("reference", v -> i.reference() != null && referenceMatches(v, i.reference()))) continue;
            if (dangling != null && dangling != (i.reference() == null)) continue;
            if (!f.labels(i.labels())) continue;
            if (before != null && created.compareTo(before) >= 0 || since != null && created.compareTo(since) <= 0) continue;
            out.add(ImageJson.imageSummary(i));
        }
        ex.json(200, out);
    }

    /** docker image prune: {"ImagesDeleted": [{"Untagged": ...}, {"Deleted": ...}], "SpaceReclaimed": bytes}. */
    private void prune(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        java.util.Set<String> keys = new java.util.HashSet<>(jbox.api.Filters.PRUNE);
        keys.add("dangling");
        jbox.api.Filters f = jbox.api.Filters.parse(req.query("filters", ""), keys);
        boolean all = Boolean.FALSE.equals(f.bool("dangling"));
        var pruned = engine.imageService().pruneImages(all, i -> f.labels(i.labels())
                && f.createdBefore(i.config().created()));
        List<Object> deleted = new ArrayList<>();
        for (String line : pruned.removed()) {
            int colon = line.indexOf(": ");
            deleted.add(Map.of(line.substring(0, colon), line.substring(colon + 2)));
        }
        ex.json(200, Map.of("ImagesDeleted", deleted, "SpaceReclaimed", pruned.bytes()));
    }

    private String created(String image) throws IOException {
        String c = engine.images().find(image).config().created();
        return c == null ? "" : c;
    }

    /** docker's reference filter: a glob on the repository, or on repository:tag when it names a tag. */
    static boolean referenceMatches(String pattern, jbox.image.Reference ref) {
        boolean withTag = pattern.lastIndexOf(':') > pattern.lastIndexOf('/');
        String name = withTag ? ref.familiarRepository() + ":" + ref.tag() : ref.familiarRepository();
        return jbox.builder.Glob.compile(pattern).matcher(name).matches(); // Go's path.Match, as .dockerignore reads it
    }

    /** docker pull: progress as a stream of JSON objects, the last one an error if it failed. */
    private void pull(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String from = req.query("fromImage", "");
        if (from.isEmpty()) throw ApiErrors.badRequest("no image to pull (fromImage is empty)");
        String tag = req.query("tag", "");
        String name = tag.isEmpty() || from.contains("@") ? from : tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        try {
            Reference.parse(name);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
        RegistryAuth auth = auth(req);
        stream(ex, "pull " + name, out -> engine.imageService().pull(name, auth, e -> JsonMessages.write(out, progress(e))));
    }

    /** docker push: progress as a stream of JSON objects, the last one an error if it failed. */
    private void push(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String tag = req.query("tag", "");
        String name = tag.isEmpty() ? p.get("name") : p.get("name") + ":" + tag;
        RegistryAuth auth = auth(req);
        engine.images().find(name); // 404 before the stream starts
        stream(ex, "push " + name, out -> engine.imageService().push(name, auth, e -> JsonMessages.write(out, progress(e))));
    }

    /** A 200 stream of progress objects; a failure after it began is its last object, as Docker sends it. */
    static void stream(Exchange ex, String what, java.util.function.Consumer<OutputStream> work) throws IOException {
        try (OutputStream out = ex.stream(200, "application/json")) {
            try {
                work.accept(out);
            } catch (RuntimeException e) {
                Failure ee = Errors.explain(e, what);
                Map<String, Object> err = new java.util.LinkedHashMap<>(ApiErrors.body(ee));
                err.put("errorDetail", Map.of("message", ee.getMessage()));
                err.put("error", ee.getMessage());
                JsonMessages.write(out, err);
            }
        }
    }

    private static RegistryAuth auth(ApiRequest req) {
        try {
            return RegistryAuth.fromHeader(req.headers.get("x-registry-auth"));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
    }

    private void tag(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String repo = req.query("repo", "");
        if (repo.isEmpty()) throw ApiErrors.badRequest("no repository to tag with (repo is empty)");
        String tag = req.query("tag", "");
        engine.imageService().tag(p.get("name"), tag.isEmpty() ? repo : repo + ":" + tag);
        ex.empty(201);
    }

    /** docker save: the images as one docker-archive tar. */
    private void save(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<String> names = p.containsKey("name") ? List.of(p.get("name")) : req.queryAll.getOrDefault("names", List.of());
        if (names.isEmpty()) throw ApiErrors.badRequest("no image to save (give names=IMAGE)");
        List<Image> images = new ArrayList<>();
        for (String n : names) images.add(engine.images().find(n)); // 404 before the stream starts
        try (OutputStream out = ex.stream(200, "application/x-tar")) {
            jbox.image.ImageArchive.save(engine.images(), images, out);
        }
    }

    /** docker load: a docker-archive or OCI archive in the body, streamed. */
    private void load(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        if (req.stream == null) throw ApiErrors.badRequest("no archive in the request body");
        stream(ex, "load", out -> {
            try {
                jbox.image.ImageArchive.load(engine.images(), req.stream, line -> JsonMessages.write(out, Map.of("stream", line + "\n")));
            } catch (jbox.image.CorruptBlobException e) {
                throw new Failure("cannot load the image archive: " + e.getMessage(), "the file is not an image archive, or it is damaged",
                        "make one with jbox save, docker save, podman save or skopeo copy ... docker-archive:FILE");
            } catch (IOException e) {
                throw jbox.engine.Errors.explain(e, "cannot load the image archive");
            }
        });
    }

    /** docker login asks the daemon to check the credentials against the registry. */
    private void login(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        com.fasterxml.jackson.databind.JsonNode b = req.json();
        String server = b.path("serveraddress").asText("");
        if (server.isEmpty()) throw ApiErrors.badRequest("no registry given (serveraddress is empty)");
        String host = server.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        try {
            new jbox.registry.RegistryClient(host, new RegistryAuth(b.path("username").asText(""), b.path("password").asText(""))).ping();
        } catch (jbox.registry.RegistryException e) {
            throw new Failure(e.getMessage(), e.likelyCause(), e.fix()).httpStatus(e.status() == 401 ? 401 : 500);
        }
        ex.json(200, Map.of("Status", "Login Succeeded", "IdentityToken", ""));
    }

    /** A progress object as dockerd streams them: status, the blob's id, and bytes so far while it moves. */
    private static Map<String, Object> progress(jbox.image.PullEvent e) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("status", e.status());
        if (e.id() != null) m.put("id", e.id());
        if (e.isBytes()) m.put("progressDetail", Map.of("current", e.current(), "total", e.total()));
        return m;
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.json(200, ImageJson.imageInspect(engine.images().find(p.get("name"))));
    }

    private void remove(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        for (String line : engine.imageService().removeImage(p.get("name"), req.flag("force"))) {
            int colon = line.indexOf(": ");
            out.add(colon > 0 ? Map.of(line.substring(0, colon), line.substring(colon + 2)) : Map.of("Untagged", line));
        }
        ex.json(200, out);
    }
}
