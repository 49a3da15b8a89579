package jbox.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.*;

class LayerWriterTest {
    @TempDir Path a;
    @TempDir Path b;
    @TempDir Path store;

    private static void fill(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/tool"), "#!/bin/sh\necho hi\n");
        Files.createSymbolicLink(dir.resolve("bin/link"), Path.of("tool"));
        Files.writeString(dir.resolve("readme"), "same content");
    }

    @Test
    void sameContentGivesTheSameDigestWhateverTheTimestamps() throws Exception {
        fill(a);
        fill(b);
        Files.setLastModifiedTime(b.resolve("readme"), FileTime.fromMillis(123_000));
        OciLayout layout = OciLayout.open(store);
        LayerWriter.Layer la = LayerWriter.write(a, 0, layout);
        LayerWriter.Layer lb = LayerWriter.write(b, 0, layout);
        assertEquals(la.diffId(), lb.diffId());
        assertEquals(la.blob(), lb.blob());
        assertEquals(la.blob(), Digest.of(Files.readAllBytes(layout.blobPath(la.blob()))), "the blob is stored under its digest");
    }

    @Test
    void differentContentGivesADifferentDigest() throws Exception {
        fill(a);
        fill(b);
        Files.writeString(b.resolve("readme"), "other content");
        OciLayout layout = OciLayout.open(store);
        assertNotEquals(LayerWriter.write(a, 0, layout).diffId(), LayerWriter.write(b, 0, layout).diffId());
    }
}
