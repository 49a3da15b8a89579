package jbox.image;

import jbox.io.AtomicFiles;

import jbox.io.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * docker save and docker load: images as one tar file. save writes the docker-archive format
 * (manifest.json, the config, each layer as an uncompressed layer.tar), which docker, podman and
 * skopeo load; load reads that format and OCI archives (an OCI layout in a tar, as skopeo's
 * oci-archive writes it), gzip-compressed or not.
 */
public final class ImageArchive {
    /** Names an archive may hold: no absolute paths, no "..", nothing but plain path characters. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+){0,3}");

    private ImageArchive() {}

    public static void save(ImageStore store, List<Image> images, OutputStream out) throws IOException {
        Path tmp = Files.createTempDirectory(store.layout().dir(), ".save-");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            List<Map<String, Object>> manifest = new ArrayList<>();
            java.util.Set<String> written = new java.util.HashSet<>();
            for (Image image : images) {
                String config = image.id().hex() + ".json";
                if (written.add(config)) add(tar, config, store.layout().readBlob(image.id()));
                List<String> layers = new ArrayList<>();
                for (int i = 0; i < image.manifest().layers().size(); i++) {
                    ImageSpec.Descriptor l = image.manifest().layers().get(i);
                    String name = image.diffIds().get(i).hex() + "/layer.tar";
                    layers.add(name);
                    if (!written.add(name)) continue;
                    Path plain = tmp.resolve(image.diffIds().get(i).hex());
                    try (InputStream in = store.layout().openBlob(l.digestValue())) {
                        Files.copy(MediaTypes.isGzipLayer(l.mediaType()) ? new GZIPInputStream(in) : in, plain);
                    }
                    TarArchiveEntry e = new TarArchiveEntry(name);
                    e.setSize(Files.size(plain));
                    e.setModTime(0);
                    tar.putArchiveEntry(e);
                    Files.copy(plain, tar);
                    tar.closeArchiveEntry();
                    Files.delete(plain);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("Config", config);
                entry.put("RepoTags", image.reference() == null ? List.of() : List.of(image.reference().familiar()));
                entry.put("Layers", layers);
                manifest.add(entry);
            }
            add(tar, "manifest.json", Json.bytes(manifest));
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** Loads every image of the archive; returns the names given to them. */
    public static List<String> load(ImageStore store, InputStream raw, Consumer<String> progress) throws IOException {
        Path tmp = Files.createTempDirectory(store.layout().dir(), ".load-");
        try {
            extract(raw, tmp);
            if (Files.isRegularFile(tmp.resolve("manifest.json"))) return loadDockerArchive(store, tmp, progress);
            if (Files.isRegularFile(tmp.resolve("index.json")) && Files.isRegularFile(tmp.resolve("oci-layout"))) return loadOciArchive(store, tmp, progress);
            throw new CorruptBlobException("not an image archive: it has neither manifest.json (docker save) nor index.json and oci-layout (OCI)");
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    private static void extract(InputStream raw, Path dir) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GZIPInputStream(in) : in)) {
            TarArchiveEntry e;
            boolean any = false;
            while ((e = tar.getNextEntry()) != null) {
                any = true;
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
                if (name.isEmpty() || e.isDirectory()) continue;
                if (!e.isFile()) throw new HostileLayerException(e.getName(), "it is a link or a device; an image archive holds plain files only");
                if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) {
                    throw new HostileLayerException(e.getName(), "its name could write outside the archive's folder");
                }
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(tar, target);
            }
            if (!any) throw new CorruptBlobException("the image archive is empty (or not a tar file)");
        }
    }

    private static List<String> loadDockerArchive(ImageStore store, Path dir, Consumer<String> progress) throws IOException {
        JsonNode manifest = Json.MAPPER.readTree(Files.readAllBytes(dir.resolve("manifest.json")));
        List<String> loaded = new ArrayList<>();
        for (JsonNode entry : manifest) {
            Path config = file(dir, entry.path("Config").asText());
            byte[] configBytes = Files.readAllBytes(config);
            Map<Digest, Path> blobs = new HashMap<>();
            Digest configDigest = Digest.of(configBytes);
            blobs.put(configDigest, config);
            List<Map<String, Object>> layers = new ArrayList<>();
            for (JsonNode l : entry.path("Layers")) {
                Path layer = file(dir, l.asText());
                Digest d;
                try (InputStream in = Files.newInputStream(layer)) {
                    d = Digest.of(in);
                }
                blobs.put(d, layer);
                layers.add(descriptor(gzipped(layer) ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, d, Files.size(layer)));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schemaVersion", 2);
            m.put("mediaType", MediaTypes.OCI_MANIFEST);
            m.put("config", descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length));
            m.put("layers", layers);
            byte[] manifestBytes = Json.bytes(m);
            List<String> tags = new ArrayList<>();
            entry.path("RepoTags").forEach(t -> tags.add(t.asText()));
            if (tags.isEmpty()) tags.add("loaded-" + configDigest.shortHex() + ":latest");
            Image image = store.importFrom(d -> Files.newInputStream(blobs.get(d.digestValue())), manifestBytes, MediaTypes.OCI_MANIFEST,
                    Reference.parse(tags.get(0)), (b, s, c, t) -> { });
            for (String t : tags) {
                if (!t.equals(tags.get(0))) store.tag(Reference.parse(t), new ImageSpec.Descriptor(MediaTypes.OCI_MANIFEST, image.manifestDigest().toString(), manifestBytes.length, null, null));
                progress.accept("Loaded image: " + Reference.parse(t).familiar());
                loaded.add(t);
            }
        }
        return loaded;
    }

    private static List<String> loadOciArchive(ImageStore store, Path dir, Consumer<String> progress) throws IOException {
        OciLayout layout = OciLayout.existing(dir);
        List<String> loaded = new ArrayList<>();
        for (ImageSpec.Descriptor d : layout.index().manifests()) {
            if (!MediaTypes.OCI_MANIFEST.equals(d.mediaType()) && !MediaTypes.DOCKER_MANIFEST.equals(d.mediaType())) {
                throw new CorruptBlobException("the OCI archive holds a " + d.mediaType() + "; jbox loads image manifests only");
            }
            String name = OciLayout.refName(d);
            Reference ref;
            try {
                ref = Reference.parse(name == null || name.isEmpty() ? "loaded-" + d.digestValue().shortHex() : name);
            } catch (IllegalArgumentException e) {
                ref = Reference.parse("loaded-" + d.digestValue().shortHex() + ":" + name.replaceAll("[^A-Za-z0-9_.-]", "_"));
            }
            store.importFrom(layout, d, ref);
            progress.accept("Loaded image: " + ref.familiar());
            loaded.add(ref.familiar());
        }
        return loaded;
    }

    private static Map<String, Object> descriptor(String mediaType, Digest d, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", d.toString());
        m.put("size", size);
        return m;
    }

    private static Path file(Path dir, String name) throws IOException {
        if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) throw new HostileLayerException(name, "manifest.json names a file outside the archive");
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) throw new CorruptBlobException("manifest.json names " + name + ", which the archive does not have");
        return p;
    }

    private static boolean gzipped(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
