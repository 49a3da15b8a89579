package jbox.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.engine.Engine;
import jbox.engine.Volumes;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker volume create, ls, inspect, rm and prune. */
final class VolumeRoutes {
    private final Engine engine;

    VolumeRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("GET", "/volumes", "VolumeRoutes.list", this::list)
                .add("POST", "/volumes/create", "VolumeRoutes.create", this::create)
                .add("POST", "/volumes/prune", "VolumeRoutes.prune", this::prune)
                .add("GET", "/volumes/{name}", "VolumeRoutes.inspect", this::inspect)
                .add("DELETE", "/volumes/{name}", "VolumeRoutes.remove", this::remove);
    }

    private Map<String, Object> json(Volumes.Volume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", v.name());
        m.put("Driver", "local");
        m.put("Mountpoint", engine.volumes().dataDir(v.name()).toString());
        m.put("CreatedAt", v.createdAt());
        m.put("Labels", v.labels());
        m.put("Scope", "local");
        m.put("Options", Map.of());
        m.put("JboxAnonymous", v.anonymous());
        m.put("JboxUsedBy", engine.volumeService().volumeUsers(v.name()));
        return m;
    }

    private void list(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Volumes.Volume v : engine.volumes().list()) out.add(json(v));
        ex.json(200, Map.of("Volumes", out, "Warnings", List.of()));
    }

    private void create(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        JsonNode b = req.json();
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String driver = b.path("Driver").asText("local");
        if (!driver.isEmpty() && !driver.equals("local")) throw jbox.api.ApiErrors.badRequest("volume driver \"" + driver + "\" is not supported: jbox has the local driver only");
        ex.json(201, json(engine.volumeService().createVolume(b.path("Name").asText(""), labels)));
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.json(200, json(engine.volumes().get(p.get("name"))));
    }

    private void remove(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.volumeService().removeVolume(p.get("name"), req.flag("force"));
        ex.empty(204);
    }

    private void prune(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        jbox.api.Filters f = jbox.api.Filters.parse(req.query("filters", ""), java.util.Set.of("label", "label!", "all"));
        boolean all = Boolean.TRUE.equals(f.bool("all"));
        ex.json(200, Map.of("VolumesDeleted", engine.volumeService().pruneVolumes(all, v -> f.labels(v.labels())),
                "SpaceReclaimed", 0));
    }
}
