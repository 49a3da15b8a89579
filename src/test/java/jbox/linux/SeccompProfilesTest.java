package jbox.linux;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Docker's profile format decided for a container's capabilities, without loading anything. */
class SeccompProfilesTest {
    private static List<String> rulesNaming(JsonNode profile, String call) {
        List<String> actions = new ArrayList<>();
        for (JsonNode r : profile.path("syscalls")) {
            for (JsonNode n : r.path("names")) if (n.asText().equals(call)) actions.add(r.path("action").asText() + (r.has("args") ? " if" : "") + (r.has("errnoRet") ? " " + r.path("errnoRet").asInt() : ""));
        }
        return actions;
    }

    @Test
    void theDefaultProfileFollowsTheContainersCapabilities() {
        JsonNode plain = SeccompProfiles.defaultFor(Capabilities.DOCKER_DEFAULT);
        assertEquals("SCMP_ACT_ERRNO", plain.path("defaultAction").asText());
        assertEquals(List.of(), rulesNaming(plain, "mount"), "mount falls to the default: EPERM");
        assertEquals(List.of("SCMP_ACT_ALLOW if"), rulesNaming(plain, "clone"), "clone only without namespace flags");
        assertEquals(List.of("SCMP_ACT_ERRNO 38"), rulesNaming(plain, "clone3"), "clone3 gets ENOSYS so libc falls back to clone");
        assertEquals(List.of("SCMP_ACT_ALLOW"), rulesNaming(plain, "chroot"), "SYS_CHROOT is a default capability");
        assertTrue(plain.path("architectures").toString().contains("SCMP_ARCH_X86_64") || plain.path("architectures").toString().contains("SCMP_ARCH_AARCH64"));

        JsonNode admin = SeccompProfiles.defaultFor(Capabilities.DOCKER_DEFAULT | Capabilities.mask(List.of("SYS_ADMIN")));
        assertEquals(List.of("SCMP_ACT_ALLOW"), rulesNaming(admin, "mount"));
        assertEquals(List.of("SCMP_ACT_ALLOW"), rulesNaming(admin, "clone"), "any clone with CAP_SYS_ADMIN");
        assertEquals(List.of("SCMP_ACT_ALLOW"), rulesNaming(admin, "clone3"));

        JsonNode none = SeccompProfiles.defaultFor(0);
        assertEquals(List.of(), rulesNaming(none, "chroot"), "without SYS_CHROOT, chroot is refused too");
    }

    @Test
    void dockersFormatAndNoFilter() {
        assertNull(SeccompProfiles.parse("{}", 0), "no default action and no rules: unconfined, as Docker reads it");
        JsonNode p = SeccompProfiles.parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":\"mkdir\",\"action\":\"SCMP_ACT_ERRNO\"},"
                + "{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_BOOT\"]}}]}", Capabilities.DOCKER_DEFAULT);
        assertEquals(List.of("SCMP_ACT_ERRNO"), rulesNaming(p, "mkdir"), "\"name\" is read as \"names\"");
        assertEquals(List.of(), rulesNaming(p, "reboot"));
        var both = assertThrows(IllegalArgumentException.class, () -> SeccompProfiles.parse(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}", 0));
        assertTrue(both.getMessage().contains("both \"architectures\" and \"archMap\""));
        assertThrows(IllegalArgumentException.class, () -> SeccompProfiles.parse("not json", 0));
    }

    @Test
    void theEnosysStubSendsNewerCallsAndClone3ToEnosys() {
        byte[] stub = Seccomp.Bpf.enosysStub(334, 435);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(stub).order(java.nio.ByteOrder.nativeOrder());
        int n = stub.length / 8;
        int[][] insn = new int[n][];
        for (int i = 0; i < n; i++) insn[i] = new int[]{b.getShort() & 0xffff, b.get() & 0xff, b.get() & 0xff, b.getInt()};
        // Run the little program for a call number on this architecture and see where it ends.
        assertEquals("ENOSYS", run(insn, 435), "clone3");
        assertEquals("ENOSYS", run(insn, 400), "a call above the profile's highest");
        assertEquals("filter", run(insn, 334), "the highest named goes to the filter");
        assertEquals("filter", run(insn, 1), "so do older calls");
    }

    /** A tiny interpreter of the stub's opcodes: returns "ENOSYS" or "filter" (the first instruction past the stub). */
    private static String run(int[][] p, int nr) {
        boolean x86 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        int arch = x86 ? 0xC000003E : 0xC00000B7;
        long a = 0;
        for (int pc = 0; pc < p.length; ) {
            int[] i = p[pc];
            switch (i[0]) {
                case 0x20 -> { a = i[3] == 4 ? arch & 0xffffffffL : nr; pc++; }
                case 0x15 -> pc += 1 + (a == (i[3] & 0xffffffffL) ? i[1] : i[2]);
                case 0x25 -> pc += 1 + (a > (i[3] & 0xffffffffL) ? i[1] : i[2]);
                case 0x45 -> pc += 1 + ((a & i[3]) != 0 ? i[1] : i[2]);
                case 0x05 -> pc += 1 + i[3];
                case 0x06 -> { return i[3] == (0x00050000 | 38) ? "ENOSYS" : "ret " + i[3]; }
                default -> fail("unknown opcode " + i[0]);
            }
            if (pc == p.length) return "filter";
        }
        return "filter";
    }
}
