package jbox.image;

import jbox.io.AtomicFiles;

import jbox.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An OCI image layout directory: oci-layout, index.json and blobs/sha256/HEX. Every blob is
 * checked against its digest when written and when read; every write lands in a temp file
 * first and is renamed into place, so a crash never leaves a half-written blob or index.
 */
public final class OciLayout {
    /** Annotation that names an image in index.json, as in the OCI spec. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path dir;

    private OciLayout(Path dir) { this.dir = dir; }

    public static OciLayout open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Path layout = dir.resolve("oci-layout");
        if (!Files.exists(layout)) atomicWrite(dir, layout, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        if (!Files.exists(dir.resolve("index.json"))) {
            atomicWrite(dir, dir.resolve("index.json"), Json.bytes(new ImageSpec.Index(2, MediaTypes.OCI_INDEX, List.of(), null)));
        }
        return new OciLayout(dir);
    }

    /** Opens an existing layout without creating anything (for read-only sources). */
    public static OciLayout existing(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve("index.json"))) throw new NoSuchFileException(dir.resolve("index.json").toString());
        return new OciLayout(dir);
    }

    public Path dir() { return dir; }

    public Path blobPath(Digest d) { return dir.resolve("blobs/sha256/" + d.hex()); }

    public boolean hasBlob(Digest d) { return Files.isRegularFile(blobPath(d)); }

    public ImageSpec.Index index() throws IOException {
        return Json.read(Files.readAllBytes(dir.resolve("index.json")), ImageSpec.Index.class, dir.resolve("index.json").toString());
    }

    public void writeIndex(List<ImageSpec.Descriptor> manifests) throws IOException {
        atomicWrite(dir, dir.resolve("index.json"), Json.bytes(new ImageSpec.Index(2, MediaTypes.OCI_INDEX, manifests, null)));
    }

    /** Stores bytes as a blob and returns their digest. */
    public Digest writeBlob(byte[] data) throws IOException {
        Digest d = Digest.of(data);
        if (!hasBlob(d)) atomicWrite(dir, blobPath(d), data);
        return d;
    }

    /**
     * Streams a blob in, hashing as it goes; if the content does not match {@code expected},
     * nothing is kept and the error names both digests.
     */
    public void writeBlob(InputStream in, Digest expected, long expectedSize) throws IOException {
        if (hasBlob(expected)) return;
        Path tmp = tempFile();
        try {
            MessageDigest md = Digest.sha256();
            long size;
            try (OutputStream out = Files.newOutputStream(tmp); DigestInputStream din = new DigestInputStream(in, md)) {
                size = din.transferTo(out);
            }
            Digest actual = Digest.fromMessageDigest(md);
            if (!actual.equals(expected)) {
                throw new CorruptBlobException("blob " + expected + " has the wrong content: its bytes hash to " + actual
                        + ". The source is corrupted or was tampered with; nothing was stored.");
            }
            if (expectedSize >= 0 && size != expectedSize) {
                throw new CorruptBlobException("blob " + expected + " is " + size + " bytes, but its descriptor says " + expectedSize);
            }
            AtomicFiles.move(tmp, blobPath(expected));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a whole (small) blob and checks it against its digest. */
    public byte[] readBlob(Digest d) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(blobPath(d));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(blobPath(d).toString(), null, "blob " + d + " is missing from " + dir);
        }
        Digest actual = Digest.of(data);
        if (!actual.equals(d)) {
            throw new CorruptBlobException("blob " + d + " in " + dir + " is corrupted: its bytes hash to " + actual
                    + ". Remove the image and pull it again.");
        }
        return data;
    }

    /** A stream of a (large) blob that verifies its digest when fully read. */
    public InputStream openBlob(Digest d) throws IOException {
        return new VerifyingInputStream(Files.newInputStream(blobPath(d)), d, "blob " + d + " in " + dir);
    }

    public void deleteBlob(Digest d) throws IOException { Files.deleteIfExists(blobPath(d)); }

    public List<Digest> blobs() throws IOException {
        List<Digest> out = new ArrayList<>();
        try (var s = Files.list(dir.resolve("blobs/sha256"))) {
            s.forEach(p -> out.add(new Digest(p.getFileName().toString())));
        }
        return out;
    }

    /** Moves a file written in tempFile() in as the blob of that digest (which the writer computed). */
    public void adoptBlob(Path tmp, Digest d) throws IOException {
        if (hasBlob(d)) Files.delete(tmp); else AtomicFiles.move(tmp, blobPath(d));
    }

    /** A new file in the layout's tmp directory, on the same filesystem as the blobs. */
    public Path tempFile() throws IOException {
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        return Files.createTempFile(tmp, "blob", ".partial");
    }

    private static void atomicWrite(Path dir, Path target, byte[] data) throws IOException {
        AtomicFiles.write(dir.resolve("tmp"), target, data);
    }

    /** Points the name ref at a manifest: adds the index entry, replacing one of the same name. */
    public void name(Reference ref, ImageSpec.Descriptor manifest) throws IOException {
        List<ImageSpec.Descriptor> kept = new ArrayList<>();
        for (ImageSpec.Descriptor d : index().manifests()) {
            if (!ref.canonical().equals(refName(d))) kept.add(d);
        }
        kept.add(manifest.withAnnotations(Map.of(REF_NAME, ref.canonical())));
        kept.sort(Comparator.comparing(d -> refName(d) == null ? "" : refName(d)));
        writeIndex(kept);
    }

    /** The name an index entry carries, or null. */
    public static String refName(ImageSpec.Descriptor d) {
        return d.annotations() == null ? null : d.annotations().get(REF_NAME);
    }
}
