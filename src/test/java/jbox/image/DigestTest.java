package jbox.image;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class DigestTest {
    @Test
    void hashesLikeSha256sum() {
        // printf hello | sha256sum
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digest.of("hello".getBytes(StandardCharsets.US_ASCII)).toString());
    }

    @Test
    void onlyValidDigestsParse() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:XYZ"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + "a".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertEquals("a".repeat(12), Digest.parse("sha256:" + "a".repeat(64)).shortHex());
    }
}
