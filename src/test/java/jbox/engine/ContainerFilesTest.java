package jbox.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** docker cp's path rules, on a directory standing in for a container's root. */
class ContainerFilesTest {
    @TempDir Path root;

    @Test
    void aLastLinkIsTheEntryAndEveryLinkBeforeItStaysInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("srv/d"));
        Files.writeString(root.resolve("srv/d/f"), "inside");
        Files.createSymbolicLink(root.resolve("srv/root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("srv/up"), Path.of("../../../.."));
        assertEquals(root.resolve("srv/root"), ContainerFiles.target(root, "/srv/root"), "the link itself, not where it leads");
        assertEquals(root.resolve("srv"), ContainerFiles.target(root, "/srv/root/srv/"), "/ in the container is its root, followed when the path ends in /");
        assertEquals(root.resolve("srv/d/f"), ContainerFiles.target(root, "srv/root/srv/d/f"), "relative paths start at the root");
        assertEquals(root.resolve("etc"), ContainerFiles.target(root, "/srv/up/etc"), "\"..\" never climbs above the root");
        assertEquals(root, ContainerFiles.target(root, "/"));
    }

    @Test
    void theArchiveIsNamedAfterThePathsLastPart() {
        assertEquals("f", ContainerFiles.rebaseName("/srv/d/f"));
        assertEquals("d", ContainerFiles.rebaseName("/srv/d/"));
        assertEquals(".", ContainerFiles.rebaseName("/srv/d/."), "SRC/. copies what is in the directory");
        assertEquals(".", ContainerFiles.rebaseName("/"));
    }

    @Test
    void modesAreGosFileMode() {
        assertEquals(0644, ContainerFiles.goMode(0100644), "a regular file: its permissions");
        assertEquals((1L << 31) | 0755, ContainerFiles.goMode(040755), "ModeDir");
        assertEquals((1L << 27) | 0777, ContainerFiles.goMode(0120777), "ModeSymlink");
        assertEquals((1L << 23) | 0755, ContainerFiles.goMode(0104755), "ModeSetuid");
        assertEquals((1L << 26) | (1L << 21) | 0666, ContainerFiles.goMode(020666), "ModeDevice|ModeCharDevice");
    }
}
