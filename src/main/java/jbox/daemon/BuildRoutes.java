package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.builder.BuildRequest;
import jbox.builder.Builder;
import jbox.builder.Commit;
import jbox.engine.Engine;
import jbox.image.Image;
import jbox.io.Json;
import jbox.image.LayerUnpacker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** docker build (the classic /build: a tar of the context in, the steps streamed out), docker commit, and builder prune. */
final class BuildRoutes {
    private final Engine engine;

    BuildRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("POST", "/build", "BuildRoutes.build", this::build)
                .add("POST", "/build/prune", "BuildRoutes.prune", this::prune)
                .add("POST", "/commit", "BuildRoutes.commit", this::commit);
    }

    private void build(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        if (req.stream == null) throw ApiErrors.badRequest("no build context in the request body (a tar of the directory)");
        if (!req.query("remote", "").isEmpty()) throw ApiErrors.badRequest("building from a remote URL is not supported: send the context as a tar");
        Map<String, String> args = jsonMap(req.query("buildargs", "{}"), "buildargs");
        Map<String, String> labels = jsonMap(req.query("labels", "{}"), "labels");
        List<String> tags = req.queryAll.getOrDefault("t", List.of());
        boolean quiet = req.flag("q");
        Path work = engine.housekeeping().newBuildDir();
        Path context = Files.createDirectory(work.resolve("context"));
        try {
            InputStream body = new BufferedInputStream(req.stream, 65536);
            body.mark(2);
            boolean gzip = body.read() == 0x1f && body.read() == 0x8b;
            body.reset();
            try {
                LayerUnpacker.unpackContext(gzip ? new GZIPInputStream(body) : body, context);
            } catch (jbox.image.HostileLayerException e) {
                throw ApiErrors.badRequest("the build context is not a tar jbox can unpack: " + e.getMessage());
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("No space left on device")) throw jbox.engine.Errors.explain(e, "cannot unpack the build context");
                throw ApiErrors.badRequest("the build context is not a readable tar: " + e.getMessage());
            }
            BuildRequest br = new BuildRequest(work, context, req.query("dockerfile", "Dockerfile"), tags, args, req.flag("nocache"), labels);
            ImageRoutes.stream(ex, "build", out -> {
                Image built;
                try {
                    built = new Builder(engine, text -> { if (!quiet) JsonMessages.write(out, Map.of("stream", text)); }).build(br);
                } finally {
                    removeQuietly(work); // before the last message: a client that reads it finds nothing left
                }
                JsonMessages.write(out, Map.of("aux", Map.of("ID", built.id().toString())));
                if (quiet) JsonMessages.write(out, Map.of("stream", built.id() + "\n"));
            });
        } finally {
            removeQuietly(work);
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            jbox.io.Owner.delete(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> jsonMap(String text, String what) {
        try {
            JsonNode n = Json.MAPPER.readTree(text.isEmpty() ? "{}" : text);
            Map<String, String> out = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw ApiErrors.badRequest(what + " is not a JSON object: " + text);
        }
    }

    private void commit(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String container = req.query("container", "");
        if (container.isEmpty()) throw ApiErrors.badRequest("no container to commit (container is empty)");
        String repo = req.query("repo", "");
        String tag = req.query("tag", "");
        String name = repo.isEmpty() ? null : tag.isEmpty() ? repo : repo + ":" + tag;
        List<String> changes = req.queryAll.getOrDefault("changes", List.of());
        boolean pause = !req.query("pause", "1").matches("0|false");
        Image image = Commit.commit(engine, container, name, changes.stream().flatMap(c -> c.lines()).filter(l -> !l.isBlank()).toList(),
                req.query("comment", ""), req.query("author", ""), pause);
        ex.json(201, Map.of("Id", image.id().toString()));
    }

    private void prune(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        int n = engine.images().pruneBuildCache();
        ex.json(200, Map.of("CachesDeleted", List.of(), "SpaceReclaimed", 0, "JboxStepsDeleted", n));
    }
}
