package jbox.api;


import jbox.image.Image;
import jbox.image.ImageSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's JSON for an image as Docker shows it: the images summary and inspect. */
public final class ImageJson {
    private ImageJson() {}

    /** GET /images/json: one row of docker images. */
    public static Map<String, Object> imageSummary(Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("ParentId", "");
        m.put("RepoTags", i.reference() == null ? List.of() : List.of(i.reference().familiar()));
        m.put("RepoDigests", i.reference() == null ? List.of() : List.of(i.reference().familiarRepository() + "@" + i.manifestDigest()));
        m.put("Created", i.config().created() == null ? 0 : Instant.parse(i.config().created()).getEpochSecond());
        m.put("Size", i.size());
        m.put("SharedSize", -1);
        m.put("VirtualSize", i.size());
        m.put("Labels", i.labels());
        m.put("Containers", -1);
        return m;
    }

    /** GET /images/{name}/json. */
    public static Map<String, Object> imageInspect(Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("RepoTags", i.reference() == null ? List.of() : List.of(i.reference().familiar()));
        m.put("RepoDigests", i.reference() == null ? List.of() : List.of(i.reference().familiarRepository() + "@" + i.manifestDigest()));
        m.put("Created", i.config().created());
        m.put("Architecture", i.config().architecture());
        m.put("Os", i.config().os());
        m.put("Size", i.size());
        ImageSpec.ContainerConfig cc = i.containerConfig();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("User", cc.user() == null ? "" : cc.user());
        config.put("Env", cc.env());
        config.put("Cmd", cc.cmd());
        config.put("Entrypoint", cc.entrypoint());
        config.put("WorkingDir", cc.workingDir() == null ? "" : cc.workingDir());
        config.put("Labels", cc.labels());
        if (cc.exposedPorts() != null) config.put("ExposedPorts", cc.exposedPorts());
        if (cc.stopSignal() != null) config.put("StopSignal", cc.stopSignal());
        if (cc.volumes() != null) config.put("Volumes", cc.volumes());
        if (cc.healthcheck() != null) config.put("Healthcheck", cc.healthcheck());
        m.put("Config", config);
        m.put("Author", i.config().author() == null ? "" : i.config().author());
        m.put("RootFS", Map.of("Type", "layers", "Layers", i.config().rootfs().diffIds()));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("Digest", i.manifestDigest().toString());
        manifest.put("Config", i.manifest().config().digest());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (ImageSpec.Descriptor l : i.manifest().layers()) layers.add(Map.of("MediaType", l.mediaType(), "Digest", l.digest(), "Size", l.size()));
        manifest.put("Layers", layers);
        m.put("Manifest", manifest);
        return m;
    }
}
