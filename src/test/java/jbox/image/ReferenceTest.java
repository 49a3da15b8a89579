package jbox.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ReferenceTest {
    @Test
    void oneWordNamesAreOfficialDockerHubImagesAtLatest() {
        Reference r = Reference.parse("busybox");
        assertEquals("docker.io", r.registry());
        assertEquals("library/busybox", r.repository());
        assertEquals("latest", r.tag());
        assertEquals("docker.io/library/busybox:latest", r.canonical());
        assertEquals("busybox:latest", r.familiar());
        assertTrue(r.isOfficialShortName());
    }

    @Test
    void registryHostIsRecognisedByDotColonOrLocalhost() {
        Reference r = Reference.parse("127.0.0.1:5000/team/busybox:1.0");
        assertEquals("127.0.0.1:5000", r.registry());
        assertEquals("team/busybox", r.repository());
        assertEquals("1.0", r.tag());
        assertEquals("localhost/x:latest", Reference.parse("localhost/x").familiar());
        Reference user = Reference.parse("someone/tool");
        assertEquals("docker.io", user.registry());
        assertEquals("someone/tool", user.repository());
        assertFalse(user.isOfficialShortName());
    }

    @Test
    void digestReferencesHaveNoDefaultTag() {
        String d = "sha256:" + "a".repeat(64);
        Reference r = Reference.parse("busybox@" + d);
        assertNull(r.tag());
        assertEquals(d, r.digest().toString());
        Reference both = Reference.parse("busybox:1.36@" + d);
        assertEquals("1.36", both.tag());
    }

    @Test
    void malformedReferencesSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("BusyBox")).getMessage().contains("lowercase"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("busybox:")).getMessage().contains("tag"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("busybox@sha256:12")).getMessage().contains("digest"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("a//b")).getMessage().contains("invalid reference format"));
    }
}
