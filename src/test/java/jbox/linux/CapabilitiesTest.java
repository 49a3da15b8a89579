package jbox.linux;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The capability set a container gets, computed as Docker computes it from --cap-add, --cap-drop and --privileged. */
class CapabilitiesTest {
    private static long caps(String... names) { return Capabilities.mask(List.of(names)); }

    @Test
    void dockersRules() {
        assertEquals(14, Long.bitCount(Capabilities.DOCKER_DEFAULT));
        assertEquals(Capabilities.DOCKER_DEFAULT, Capabilities.forContainer(List.of(), List.of(), false));
        assertEquals(0, Capabilities.forContainer(List.of(), List.of("ALL"), false));
        assertEquals(caps("NET_ADMIN"), Capabilities.forContainer(List.of("net_admin"), List.of("all"), false), "ALL dropped, then what is added");
        assertEquals(Capabilities.ALL & ~caps("SYS_ADMIN"), Capabilities.forContainer(List.of("ALL"), List.of("CAP_SYS_ADMIN"), false));
        assertEquals((Capabilities.DOCKER_DEFAULT & ~caps("CHOWN")) | caps("SYS_TIME"), Capabilities.forContainer(List.of("SYS_TIME"), List.of("chown"), false));
        assertEquals(Capabilities.ALL, Capabilities.forContainer(List.of(), List.of("ALL"), true), "privileged wins");
        var e = assertThrows(IllegalArgumentException.class, () -> Capabilities.forContainer(List.of("CAP_FLY"), List.of(), false));
        assertEquals("unknown capability: \"CAP_FLY\"", e.getMessage());
    }
}
