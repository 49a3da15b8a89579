package jbox.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SecurePathTest {
    @TempDir Path root;

    @Test
    void absoluteSymlinksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/etc"));
        assertEquals(root.resolve("etc"), SecurePath.resolve(root, "/proc"));
    }

    @Test
    void dotDotNeverClimbsAboveTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../tmp"));
        assertEquals(root.resolve("tmp"), SecurePath.resolve(root, "/up"));
        assertEquals(root.resolve("x"), SecurePath.resolve(root, "/../../x"));
    }

    @Test
    void symlinkLoopsAreReported() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        assertTrue(assertThrows(java.io.IOException.class, () -> SecurePath.resolve(root, "/a")).getMessage().contains("too many levels"));
    }

    @Test
    void mkdirsCreatesThroughLinksButInsideTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("work"), Path.of("/somewhere/deep"));
        Path made = SecurePath.mkdirs(root, "/work/dir");
        assertEquals(root.resolve("somewhere/deep/dir"), made);
        assertTrue(Files.isDirectory(made));
    }
}
