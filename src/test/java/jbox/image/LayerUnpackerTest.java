package jbox.image;

import jbox.sys.Sys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile layers must be refused before anything lands outside the layer directory. Each test
 * unpacks into target/ inside a temp dir whose other content (outside/) is the host to protect.
 */
class LayerUnpackerTest {
    @TempDir Path tmp;
    Path target;
    Path outside;

    @BeforeEach
    void dirs() throws IOException {
        target = Files.createDirectory(tmp.resolve("target"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me");
    }

    private List<String> unpack(Tarballs t) throws IOException {
        return LayerUnpacker.unpack(new ByteArrayInputStream(t.bytes()), target);
    }

    private void assertRefused(Tarballs t, String why) throws IOException {
        HostileLayerException e = assertThrows(HostileLayerException.class, () -> unpack(t));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertEquals("keep me", Files.readString(outside.resolve("precious")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("outside", "target"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing new may appear outside the layer");
        }
    }

    @Test
    void absolutePathsAreRefused() throws IOException {
        assertRefused(new Tarballs().file(outside.resolve("evil").toString(), "x", 0644), "absolute path");
    }

    @Test
    void dotDotIsRefused() throws IOException {
        assertRefused(new Tarballs().file("../outside/evil", "x", 0644), "\"..\"");
        assertRefused(new Tarballs().file("a/../../outside/evil", "x", 0644), "\"..\"");
    }

    @Test
    void symlinksPointingAboveTheRootAreRefused() throws IOException {
        assertRefused(new Tarballs().dir("etc", 0755).symlink("etc/up", "../../outside"), "points above");
    }

    @Test
    void writingThroughASymlinkIsRefused() throws IOException {
        // An absolute link is fine inside a container, but must never be followed while unpacking.
        assertRefused(new Tarballs().symlink("link", outside.toString()).file("link/evil", "x", 0644), "through the symbolic link");
    }

    @Test
    void replacingASymlinkWithAFileDoesNotWriteThroughIt() throws IOException {
        unpack(new Tarballs().symlink("precious", outside.resolve("precious").toString()).file("precious", "layer's own", 0644));
        assertEquals("keep me", Files.readString(outside.resolve("precious")));
        assertEquals("layer's own", Files.readString(target.resolve("precious")));
        assertFalse(Files.isSymbolicLink(target.resolve("precious")));
    }

    @Test
    void hardLinksToOutsideOrMissingFilesAreRefused() throws IOException {
        assertRefused(new Tarballs().hardlink("h", "../outside/precious"), "\"..\"");
        assertRefused(new Tarballs().hardlink("h", outside.resolve("precious").toString()), "absolute path");
        assertRefused(new Tarballs().hardlink("h", "missing"), "not in this layer");
    }

    @Test
    void aNormalLayerKeepsModesLinksAndContent() throws IOException {
        unpack(new Tarballs().dir("bin", 0755).file("bin/tool", "#!/bin/sh\n", 04755).symlink("bin/sh", "/bin/tool")
                .hardlink("bin/again", "bin/tool").symlink("rel", "bin/tool").file("./etc/conf", "a=1", 0600));
        assertEquals("#!/bin/sh\n", Files.readString(target.resolve("bin/tool")));
        assertEquals(04755, (Integer) Files.getAttribute(target.resolve("bin/tool"), "unix:mode") & 07777);
        assertEquals(Path.of("/bin/tool"), Files.readSymbolicLink(target.resolve("bin/sh")));
        assertEquals(Files.getAttribute(target.resolve("bin/tool"), "unix:ino"), Files.getAttribute(target.resolve("bin/again"), "unix:ino"));
        assertEquals(0600, (Integer) Files.getAttribute(target.resolve("etc/conf"), "unix:mode") & 07777);
    }

    @Test
    void whiteoutsBecomeOverlayWhiteoutsAndOwnersAreKept() throws IOException {
        jbox.it.Requires.that(Sys.isRoot(), "creating whiteout devices and chown need root");
        unpack(new Tarballs().dir("etc", 0755).file("etc/.wh.hosts", "", 0644).dir("var", 0755).file("var/.wh..wh..opq", "", 0644)
                .owned("home", "x", 1000, 1001).charDevice("null", 1, 3));
        Path wh = target.resolve("etc/hosts");
        assertEquals(0020000, (Integer) Files.getAttribute(wh, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000, "a character device");
        assertEquals(0L, ((Number) Files.getAttribute(wh, "unix:rdev")).longValue(), "device 0:0");
        assertFalse(Files.exists(target.resolve("etc/.wh.hosts")));
        assertFalse(Files.exists(target.resolve("var/.wh..wh..opq")));
        assertEquals(1000, Files.getAttribute(target.resolve("home"), "unix:uid"));
        assertEquals(1001, Files.getAttribute(target.resolve("home"), "unix:gid"));
        assertEquals((1L << 8) | 3, ((Number) Files.getAttribute(target.resolve("null"), "unix:rdev")).longValue());
        assertEquals("y", Sys.lgetxattr(target.resolve("var").toString(), "trusted.overlay.opaque"));
        assertNull(Sys.lgetxattr(target.resolve("etc").toString(), "trusted.overlay.opaque"));
    }
}
