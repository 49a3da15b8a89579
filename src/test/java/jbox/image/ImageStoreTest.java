package jbox.image;

import jbox.io.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Importing images with every digest checked: a damaged source leaves nothing behind. */
class ImageStoreTest {
    @TempDir Path tmp;

    private ImageSpec.Descriptor buildSource(Path layoutDir) throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs/bin"));
        Files.writeString(rootfs.resolve("hello"), "hi");
        OciLayout source = OciLayout.open(layoutDir);
        return ImageBuilder.build(tmp.resolve("rootfs"), new ImageSpec.ContainerConfig(null, List.of("A=1"), null, List.of("/bin/hello"), null, null, null, null, null, null),
                "test", 0, source);
    }

    @Test
    void importCopiesVerifiesUnpacksAndNames() throws Exception {
        ImageSpec.Descriptor m = buildSource(tmp.resolve("src"));
        ImageStore store = new ImageStore(tmp.resolve("root"));
        Image i = store.importFrom(OciLayout.existing(tmp.resolve("src")), m, Reference.parse("demo"));
        assertEquals("demo:latest", i.reference().familiar());
        assertEquals(List.of("A=1"), i.containerConfig().env());
        assertEquals("hi", Files.readString(store.layerDirs(i).get(0).resolve("bin/hello")));
        assertEquals(i.id(), store.find("demo").id());
        assertEquals(i.id(), store.find(i.id().hex().substring(0, 8)).id());
        assertEquals(List.of("Untagged: demo:latest", "Deleted: " + i.id()), store.untag(i));
        assertTrue(store.list().isEmpty());
        assertTrue(store.layout().blobs().isEmpty(), "blobs of a removed image are deleted");
    }

    @Test
    void aCorruptedLayerIsRefusedAndNothingIsKept() throws Exception {
        ImageSpec.Descriptor m = buildSource(tmp.resolve("src"));
        OciLayout src = OciLayout.existing(tmp.resolve("src"));
        ImageSpec.Manifest manifest = Json.read(src.readBlob(m.digestValue()), ImageSpec.Manifest.class, "manifest");
        Path layer = src.blobPath(manifest.layers().get(0).digestValue());
        byte[] b = Files.readAllBytes(layer);
        b[b.length / 2] ^= 0x55;
        Files.write(layer, b);

        ImageStore store = new ImageStore(tmp.resolve("root"));
        CorruptBlobException e = assertThrows(CorruptBlobException.class, () -> store.importFrom(src, m, Reference.parse("demo")));
        assertTrue(e.getMessage().contains(manifest.layers().get(0).digest()), e.getMessage());
        assertTrue(e.getMessage().contains("hash to sha256:"), "names the digest the bytes really have: " + e.getMessage());
        assertTrue(store.list().isEmpty());
        try (Stream<Path> s = Files.list(tmp.resolve("root/layers"))) {
            assertEquals(0, s.count(), "no unpacked layer is kept");
        }
        assertFalse(store.layout().hasBlob(manifest.layers().get(0).digestValue()));
    }

    @Test
    void aBlobCorruptedInTheStoreIsDetectedWhenRead() throws Exception {
        ImageSpec.Descriptor m = buildSource(tmp.resolve("src"));
        ImageStore store = new ImageStore(tmp.resolve("root"));
        Image i = store.importFrom(OciLayout.existing(tmp.resolve("src")), m, Reference.parse("demo"));
        Files.writeString(store.layout().blobPath(i.id()), "{\"tampered\":true}");
        assertThrows(CorruptBlobException.class, () -> store.find("demo"));
    }
}
