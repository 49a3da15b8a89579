package jbox.daemon;

import jbox.api.ContainerJson;
import jbox.api.ImageJson;
import jbox.engine.Engine;
import jbox.image.Digest;
import jbox.image.Image;
import jbox.image.ImageStore;
import jbox.runtime.ContainerState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /system/df (docker system df): the bytes images, containers, volumes and the build cache hold. */
final class DiskUsage {
    private DiskUsage() {}

    static Map<String, Object> measure(Engine engine) throws IOException {
        ImageStore store = engine.images();
        List<ContainerState> containers = engine.lifecycle().list(true);
        Map<String, Integer> containersByImage = new HashMap<>();
        for (ContainerState c : containers) containersByImage.merge(c.imageId(), 1, Integer::sum);

        Map<String, Image> images = new LinkedHashMap<>(); // one row per image, however many names it has
        for (Image i : store.list()) images.putIfAbsent(i.id().toString(), i);
        Map<Digest, Integer> layerUsers = new HashMap<>();
        for (Image i : images.values()) for (Digest d : new java.util.HashSet<>(i.diffIds())) layerUsers.merge(d, 1, Integer::sum);
        long layersSize = store.unpackedSize(images.values());
        List<Object> imageRows = new ArrayList<>();
        Map<String, Long> imageSize = new HashMap<>();
        for (Image i : images.values()) {
            long size = 0, shared = 0;
            for (Digest d : new java.util.HashSet<>(i.diffIds())) {
                long s = store.unpackedSize(d);
                size += s;
                if (layerUsers.get(d) > 1) shared += s;
            }
            imageSize.put(i.id().toString(), size);
            Map<String, Object> row = new LinkedHashMap<>(ImageJson.imageSummary(i));
            row.put("Size", size);
            row.put("VirtualSize", size);
            row.put("SharedSize", shared);
            row.put("Containers", containersByImage.getOrDefault(i.id().toString(), 0));
            imageRows.add(row);
        }

        List<Object> containerRows = new ArrayList<>();
        for (ContainerState c : containers) {
            Path upper = engine.containers().dirOf(c.id()).resolve("upper"); // none before a first start
            long rw = Files.isDirectory(upper) ? ImageStore.treeSize(upper) : 0;
            Map<String, Object> row = new LinkedHashMap<>(ContainerJson.containerSummary(c));
            row.put("SizeRw", rw);
            row.put("SizeRootFs", rw + imageSize.getOrDefault(c.imageId(), 0L));
            containerRows.add(row);
        }

        List<Object> volumeRows = new ArrayList<>();
        for (var v : engine.volumes().list()) {
            Path data = engine.volumes().dataDir(v.name());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Name", v.name());
            row.put("Driver", "local");
            row.put("Mountpoint", data.toString());
            row.put("CreatedAt", v.createdAt());
            row.put("Labels", v.labels());
            row.put("Scope", "local");
            row.put("Options", Map.of());
            row.put("UsageData", Map.of("Size", Files.isDirectory(data) ? ImageStore.treeSize(data) : 0, "RefCount",
                    engine.volumeService().volumeUsers(v.name()).size()));
            volumeRows.add(row);
        }

        List<Object> cacheRows = new ArrayList<>();
        for (Image i : store.list(true)) {
            if (images.containsKey(i.id().toString())) continue;
            long size = 0;
            for (Digest d : i.diffIds()) if (layerUsers.getOrDefault(d, 0) == 0) size += store.unpackedSize(d);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("ID", i.id().hex().substring(0, 12));
            row.put("Type", "regular");
            row.put("Description", "a build step's image (jbox builder prune removes it)");
            row.put("InUse", false);
            row.put("Shared", false);
            row.put("Size", size);
            row.put("CreatedAt", i.config().created() == null ? "" : i.config().created());
            row.put("UsageCount", 0);
            cacheRows.add(row);
        }

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("LayersSize", layersSize);
        m.put("Images", imageRows);
        m.put("Containers", containerRows);
        m.put("Volumes", volumeRows);
        m.put("BuildCache", cacheRows);
        return m;
    }
}
