package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.api.ApiRequest;
import jbox.api.DockerJson;
import jbox.api.Exchange;
import jbox.api.Router;
import jbox.engine.Engine;
import jbox.engine.EngineException;
import jbox.engine.Errors;
import jbox.image.Image;
import jbox.image.Json;
import jbox.image.Reference;

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
        r.add("GET", "/images/json", "ImageRoutes.list", this::list)
                .add("POST", "/images/create", "ImageRoutes.pull", this::pull)
                .add("GET", "/images/{name*}/json", "ImageRoutes.inspect", this::inspect)
                .add("DELETE", "/images/{name*}", "ImageRoutes.remove", this::remove);
    }

    private void list(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Image i : engine.images().list()) out.add(DockerJson.imageSummary(i));
        ex.json(200, out);
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
        try (OutputStream out = ex.stream(200, "application/json")) {
            try {
                engine.pull(name, line -> write(out, Map.of("status", line)));
            } catch (RuntimeException e) {
                EngineException ee = Errors.explain(e, "pull " + name);
                Map<String, Object> err = new java.util.LinkedHashMap<>(ApiErrors.body(ee));
                err.put("errorDetail", Map.of("message", ee.getMessage()));
                err.put("error", ee.getMessage());
                write(out, err);
            }
        }
    }

    private static void write(OutputStream out, Object o) {
        try {
            out.write(Json.bytes(o));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.json(200, DockerJson.imageInspect(engine.images().find(p.get("name"))));
    }

    private void remove(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        for (String line : engine.removeImage(p.get("name"), req.flag("force"))) {
            int colon = line.indexOf(": ");
            out.add(colon > 0 ? Map.of(line.substring(0, colon), line.substring(colon + 2)) : Map.of("Untagged", line));
        }
        ex.json(200, out);
    }
}
