package jbox.image;

import jbox.io.UnclosableInputStream;

import jbox.io.CountingInputStream;

import jbox.io.FileLock;

import jbox.io.AtomicFiles;

import jbox.io.Json;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * jbox's images: an OCI layout under ROOT/images holds manifests, configs and compressed layers;
 * each layer is also unpacked once under ROOT/layers/DIFFID, where every container of every
 * image that has it shares it read-only as an overlayfs lower layer.
 */
public final class ImageStore {
    private final OciLayout layout;
    private final Path layersDir;
    private final Path lockFile;

    public ImageStore(Path jboxRoot) throws IOException {
        this.layout = OciLayout.open(jboxRoot.resolve("images"));
        this.layersDir = jboxRoot.resolve("layers");
        this.lockFile = jboxRoot.resolve("images/.lock");
        Files.createDirectories(layersDir);
    }

    public OciLayout layout() { return layout; }

    /** The index annotation that marks a build step's image, kept as the build cache under its key. */
    public static final String BUILD_KEY = "org.jbox.build.key";

    /** Every image, in index order; the build cache's step images only when withBuildCache. */
    public List<Image> list(boolean withBuildCache) throws IOException {
        List<Image> out = new ArrayList<>();
        for (ImageSpec.Descriptor d : layout.index().manifests()) {
            if (!withBuildCache && buildKey(d) != null) continue;
            String name = OciLayout.refName(d);
            out.add(load(name == null ? null : Reference.parse(name), d.digestValue()));
        }
        return out;
    }

    public List<Image> list() throws IOException { return list(false); }

    private static String buildKey(ImageSpec.Descriptor d) {
        return d.annotations() == null ? null : d.annotations().get(BUILD_KEY);
    }

    /** Writes an image's config and manifest (the layers are already blobs here) and returns the manifest's descriptor. */
    public ImageSpec.Descriptor writeImage(ImageSpec.ImageConfig config, List<ImageSpec.Descriptor> layers) throws IOException {
        byte[] configBytes = Json.bytes(config);
        Digest configDigest = layout.writeBlob(configBytes);
        ImageSpec.Manifest m = new ImageSpec.Manifest(2, MediaTypes.OCI_MANIFEST, new ImageSpec.Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length),
                layers, null);
        byte[] manifestBytes = Json.bytes(m);
        return new ImageSpec.Descriptor(MediaTypes.OCI_MANIFEST, layout.writeBlob(manifestBytes), manifestBytes.length);
    }

    /** An image by its manifest's digest, named or not. */
    public Image byManifest(Digest manifest) throws IOException { return load(null, manifest); }

    /** Adds an image without a name (docker's <none>:<none>), as a commit without a name makes. */
    public void keepUnnamed(ImageSpec.Descriptor manifest) throws IOException {
        try (FileLock ignored = FileLock.acquire(lockFile)) {
            List<ImageSpec.Descriptor> kept = new ArrayList<>(layout.index().manifests());
            kept.add(manifest.withAnnotations(null));
            layout.writeIndex(kept);
        }
    }

    /** Keeps a build step's image as the cache entry of key (replacing an older one of that key). */
    public Image keepBuildStep(String key, ImageSpec.Descriptor manifest) throws IOException {
        try (FileLock ignored = FileLock.acquire(lockFile)) {
            List<ImageSpec.Descriptor> kept = new ArrayList<>();
            for (ImageSpec.Descriptor d : layout.index().manifests()) if (!key.equals(buildKey(d))) kept.add(d);
            kept.add(manifest.withAnnotations(java.util.Map.of(BUILD_KEY, key)));
            layout.writeIndex(kept);
        }
        return load(null, manifest.digestValue());
    }

    /** The image a build step of this key made before, if all its blobs are still here. */
    public Image buildStep(String key) throws IOException {
        for (ImageSpec.Descriptor d : layout.index().manifests()) {
            if (!key.equals(buildKey(d))) continue;
            try {
                Image i = load(null, d.digestValue());
                for (ImageSpec.Descriptor l : i.manifest().layers()) if (!layout.hasBlob(l.digestValue())) return null;
                return i;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** Finds an image by reference (busybox, busybox:latest, ...) or by (a prefix of) its id. */
    public Image find(String nameOrId) throws IOException {
        List<Image> all = list(true);
        String hex = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
        if (hex.length() >= 4 && hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            for (Image i : all) if (i.id().hex().startsWith(hex)) return i;
        }
        Reference ref = Reference.parse(nameOrId);
        for (Image i : all) if (i.reference() != null && i.reference().equals(ref)) return i;
        throw new ImageNotFoundException("No such image: " + nameOrId);
    }

    private Image load(Reference ref, Digest manifestDigest) throws IOException {
        ImageSpec.Manifest m = Json.read(layout.readBlob(manifestDigest), ImageSpec.Manifest.class, "manifest " + manifestDigest);
        Digest configDigest = m.config().digestValue();
        ImageSpec.ImageConfig c = Json.read(layout.readBlob(configDigest), ImageSpec.ImageConfig.class, "image config " + configDigest);
        long size = 0;
        for (String diff : c.rootfs().diffIds()) size += unpackedSize(Digest.parse(diff));
        return new Image(ref, manifestDigest, m, configDigest, c, size);
    }

    /** Where an import reads blobs from: another OCI layout (the bundled images) or a registry. */
    public interface BlobSource {
        InputStream open(ImageSpec.Descriptor blob) throws IOException;
    }

    /** What an import tells as it goes, per blob: "Already exists", "Downloading" with bytes, "Download complete", ... */
    public interface Progress {
        void blob(ImageSpec.Descriptor blob, String status, long current, long total);

        default void blob(ImageSpec.Descriptor blob, String status) { blob(blob, status, -1, -1); }
    }

    /** Copies an image from another layout, verifying every blob, unpacks its layers, and names it ref. */
    public Image importFrom(OciLayout source, ImageSpec.Descriptor manifestDesc, Reference ref) throws IOException {
        return importFrom(d -> Files.newInputStream(source.blobPath(d.digestValue())), source.readBlob(manifestDesc.digestValue()),
                manifestDesc.mediaType(), ref, (b, s, c, t) -> { });
    }

    /**
     * Imports an image given its manifest: fetches the config and the layers not yet here (the
     * layers three at a time), each streamed through its digest check, so a corrupted or cut
     * download keeps nothing; then unpacks the layers and names the image ref, replacing any
     * image of that name.
     */
    public Image importFrom(BlobSource source, byte[] manifestBytes, String mediaType, Reference ref, Progress progress) throws IOException {
        Digest md = Digest.of(manifestBytes);
        ImageSpec.Manifest m = Json.read(manifestBytes, ImageSpec.Manifest.class, "manifest " + md);
        if (m.config() == null || m.layers() == null) throw new CorruptBlobException("manifest " + md + " has no config or no layers");
        // docker shows layers only: the config is fetched without a line of its own
        copyBlob(source, m.config(), (b, st, c, t) -> { });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "jbox-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<?>> fetches = new ArrayList<>();
            for (ImageSpec.Descriptor l : m.layers()) if (!layout.hasBlob(l.digestValue())) progress.blob(l, "Waiting");
            for (ImageSpec.Descriptor l : m.layers()) fetches.add(pool.submit(() -> {
                copyBlob(source, l, progress);
                return null;
            }));
            for (java.util.concurrent.Future<?> f : fetches) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    for (java.util.concurrent.Future<?> other : fetches) other.cancel(true);
                    if (e.getCause() instanceof IOException io) throw io;
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while fetching layers");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        layout.writeBlob(manifestBytes);
        ImageSpec.ImageConfig c = Json.read(layout.readBlob(m.config().digestValue()), ImageSpec.ImageConfig.class, "image config");
        List<String> diffIds = c.rootfs().diffIds();
        if (diffIds.size() != m.layers().size()) {
            throw new CorruptBlobException("image " + ref.familiar() + " lists " + m.layers().size() + " layers but its config has "
                    + diffIds.size() + " diff_ids");
        }
        for (int i = 0; i < diffIds.size(); i++) {
            // a layer already unpacked stays at "Already exists", as in docker
            if (Files.isDirectory(layersDir.resolve(Digest.parse(diffIds.get(i)).hex()))) continue;
            progress.blob(m.layers().get(i), "Extracting");
            unpack(m.layers().get(i), Digest.parse(diffIds.get(i)));
            progress.blob(m.layers().get(i), "Pull complete");
        }
        tag(ref, new ImageSpec.Descriptor(mediaType == null ? (m.mediaType() == null ? MediaTypes.OCI_MANIFEST : m.mediaType()) : mediaType, md,
                manifestBytes.length));
        return load(ref, md);
    }

    private void copyBlob(BlobSource source, ImageSpec.Descriptor d, Progress progress) throws IOException {
        Digest digest = d.digestValue();
        if (layout.hasBlob(digest)) {
            progress.blob(d, "Already exists");
            return;
        }
        progress.blob(d, "Downloading", 0, d.size());
        // The digest is checked as the bytes stream in; "Verifying Checksum" is when the last of them has.
        try (InputStream in = new CountingInputStream(source.open(d), n -> progress.blob(d, "Downloading", n, d.size()))) {
            layout.writeBlob(in, digest, d.size());
        }
        progress.blob(d, "Verifying Checksum");
        progress.blob(d, "Download complete");
    }

    /** Points ref at a manifest in index.json (atomic, under the store lock). */
    public void tag(Reference ref, ImageSpec.Descriptor manifest) throws IOException {
        try (FileLock ignored = FileLock.acquire(lockFile)) {
            layout.name(ref, manifest);
        }
    }

    /** Removes the name; blobs and layers no other image uses are deleted. Returns what was removed. */
    public List<String> untag(Image image) throws IOException {
        try (FileLock ignored = FileLock.acquire(lockFile)) {
            List<String> removed = new ArrayList<>();
            List<ImageSpec.Descriptor> kept = new ArrayList<>();
            for (ImageSpec.Descriptor d : layout.index().manifests()) {
                String name = OciLayout.refName(d);
                boolean match = image.reference() != null ? image.reference().canonical().equals(name)
                        : name == null && buildKey(d) == null && d.digestValue().equals(image.manifestDigest());
                if (!match) kept.add(d);
            }
            layout.writeIndex(kept);
            if (image.reference() != null) removed.add("Untagged: " + image.reference().familiar());
            if (deleteUnused(List.of(image), kept)) removed.add("Deleted: " + image.id());
            return removed;
        }
    }

    /** Drops every build cache entry; blobs and layers no image uses any more go with them. Returns how many. */
    public int pruneBuildCache() throws IOException {
        try (FileLock ignored = FileLock.acquire(lockFile)) {
            List<ImageSpec.Descriptor> kept = new ArrayList<>();
            List<Image> dropped = new ArrayList<>();
            for (ImageSpec.Descriptor d : layout.index().manifests()) {
                if (buildKey(d) == null) kept.add(d); else dropped.add(load(null, d.digestValue()));
            }
            layout.writeIndex(kept);
            deleteUnused(dropped, kept);
            return dropped.size();
        }
    }

    /** Deletes the blobs and unpacked layers of these images that no kept index entry uses; whether any image went. */
    private boolean deleteUnused(List<Image> gone, List<ImageSpec.Descriptor> kept) throws IOException {
        Set<Digest> stillUsed = new HashSet<>();
        Set<Digest> layersUsed = new HashSet<>();
        for (ImageSpec.Descriptor d : kept) {
            Image other = load(null, d.digestValue());
            stillUsed.add(other.manifestDigest());
            stillUsed.add(other.id());
            other.manifest().layers().forEach(l -> stillUsed.add(l.digestValue()));
            layersUsed.addAll(other.diffIds());
        }
        boolean any = false;
        for (Image image : gone) {
            if (stillUsed.contains(image.id())) continue;
            any = true;
            layout.deleteBlob(image.manifestDigest());
            layout.deleteBlob(image.id());
            for (ImageSpec.Descriptor l : image.manifest().layers()) if (!stillUsed.contains(l.digestValue())) layout.deleteBlob(l.digestValue());
            for (Digest diff : image.diffIds()) {
                if (!layersUsed.contains(diff)) {
                    AtomicFiles.deleteTree(layersDir.resolve(diff.hex()));
                    Files.deleteIfExists(layersDir.resolve(diff.hex() + ".size"));
                }
            }
        }
        return any;
    }

    /** Unpacked layer directories of an image, topmost first (overlayfs lowerdir order). */
    public List<Path> layerDirs(Image image) throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<Digest> diffs = image.diffIds();
        for (int i = diffs.size() - 1; i >= 0; i--) {
            Path dir = layersDir.resolve(diffs.get(i).hex());
            if (!Files.isDirectory(dir)) unpack(image.manifest().layers().get(i), diffs.get(i));
            dirs.add(dir);
        }
        return dirs;
    }

    /**
     * Unpacks a layer blob into layers/DIFFID via a temp dir. Both digests are checked: the blob's
     * (compressed bytes) and the diffID (uncompressed tar). Only a verified layer is renamed in.
     */
    private void unpack(ImageSpec.Descriptor layer, Digest diffId) throws IOException {
        Path target = layersDir.resolve(diffId.hex());
        if (Files.isDirectory(target)) return;
        String type = layer.mediaType();
        if (!MediaTypes.isGzipLayer(type) && !MediaTypes.isPlainLayer(type)) {
            throw new IOException("layer " + layer.digest() + " has media type " + type + ", which jbox cannot unpack (it reads tar and tar+gzip layers)");
        }
        Path tmp = Files.createTempDirectory(layersDir, "unpack-");
        try {
            Digest blob = layer.digestValue();
            VerifyingInputStream verified = new VerifyingInputStream(
                    new BufferedInputStream(Files.newInputStream(layout.blobPath(blob)), 65536), blob, "layer " + blob);
            MessageDigest diff = Digest.sha256();
            try (verified) {
                InputStream raw = MediaTypes.isGzipLayer(type) ? new GZIPInputStream(verified, 65536) : verified;
                DigestInputStream tar = new DigestInputStream(raw, diff);
                LayerUnpacker.unpack(new UnclosableInputStream(tar), tmp);
                tar.transferTo(java.io.OutputStream.nullOutputStream()); // hash the tar's trailing padding too
                verified.drainAndVerify();
            }
            Digest actualDiff = Digest.fromMessageDigest(diff);
            if (!actualDiff.equals(diffId)) {
                throw new CorruptBlobException("layer " + blob + " unpacks to content " + actualDiff + ", but the image config says " + diffId);
            }
            Files.writeString(layersDir.resolve(diffId.hex() + ".size"), Long.toString(treeSize(tmp)));
            Files.move(tmp, target);
        } finally {
            if (Files.exists(tmp)) AtomicFiles.deleteTree(tmp);
        }
    }

    /** The bytes the layers of these images take unpacked, each shared layer counted once. */
    public long unpackedSize(Iterable<Image> images) {
        java.util.Set<Digest> layers = new java.util.HashSet<>();
        for (Image i : images) layers.addAll(i.diffIds());
        long sum = 0;
        for (Digest d : layers) sum += unpackedSize(d);
        return sum;
    }

    /** The bytes of an unpacked layer, as measured when it was unpacked (0 if unknown). */
    public long unpackedSize(Digest diffId) {
        try {
            return Long.parseLong(Files.readString(layersDir.resolve(diffId.hex() + ".size")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Bytes in the regular files under dir (links not followed). */
    public static long treeSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        }
    }

}
