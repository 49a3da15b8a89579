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
        LayerWriter.Layer la = LayerWriter.write(a, 0);
        LayerWriter.Layer lb = LayerWriter.write(b, 0);
        assertEquals(la.diffId(), lb.diffId());
        assertEquals(Digest.of(la.gzip()), Digest.of(lb.gzip()));
    }

    @Test
    void differentContentGivesADifferentDigest() throws Exception {
        fill(a);
        fill(b);
        Files.writeString(b.resolve("readme"), "other content");
        assertNotEquals(LayerWriter.write(a, 0).diffId(), LayerWriter.write(b, 0).diffId());
    }
}
