package jbox.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Paths a build reads stay inside its context (resolveInside), whatever links the client put there. */
class SecurePathInsideTest {
    @TempDir Path ctx;

    @Test
    void linksAreFollowedWhileTheyStayInside() throws Exception {
        Files.createDirectories(ctx.resolve("sub/deeper"));
        Files.writeString(ctx.resolve("sub/deeper/f"), "x");
        Files.createSymbolicLink(ctx.resolve("in"), Path.of("sub"));
        Files.createSymbolicLink(ctx.resolve("sub/back"), Path.of("../sub/deeper"));
        assertEquals(ctx.resolve("sub/deeper/f"), SecurePath.resolveInside(ctx, "in/deeper/f", false));
        assertEquals(ctx.resolve("sub/deeper/f"), SecurePath.resolveInside(ctx, "in/back/f", false));
        assertEquals(ctx.resolve("in"), SecurePath.resolveInside(ctx, "in", false), "the last component is a link copied as a link");
        assertEquals(ctx.resolve("sub"), SecurePath.resolveInside(ctx, "in", true));
    }

    @Test
    void aLinkOutOfTheContextIsRefusedNamingIt() throws Exception {
        Files.createSymbolicLink(ctx.resolve("dl"), Path.of("/etc"));
        Files.createSymbolicLink(ctx.resolve("up"), Path.of("../../etc"));
        Files.createDirectories(ctx.resolve("a"));
        Files.createSymbolicLink(ctx.resolve("a/hop"), Path.of("../up"));
        var abs = assertThrows(SecurePath.EscapeException.class, () -> SecurePath.resolveInside(ctx, "dl/shadow", false));
        assertEquals("dl/shadow: dl is a symbolic link to /etc, outside the build context", abs.describe("the build context"));
        var rel = assertThrows(SecurePath.EscapeException.class, () -> SecurePath.resolveInside(ctx, "up/shadow", false));
        assertEquals("up/shadow: up is a symbolic link to ../../etc, outside the build context", rel.describe("the build context"));
        assertThrows(SecurePath.EscapeException.class, () -> SecurePath.resolveInside(ctx, "a/hop/shadow", false), "through two links");
        assertThrows(SecurePath.EscapeException.class, () -> SecurePath.resolveInside(ctx, "../x", false));
        Files.createSymbolicLink(ctx.resolve("Dockerfile"), Path.of("/etc/shadow"));
        assertThrows(SecurePath.EscapeException.class, () -> SecurePath.resolveInside(ctx, "Dockerfile", true), "a Dockerfile read through a link");
    }
}
