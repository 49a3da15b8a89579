package jbox.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The device program's verdicts, run by a small interpreter of the instructions it uses (the kernel's run is DeviceFilterKernelTest). */
class DeviceFilterTest {
    private static final int B = 1, C = 2, M = 1, R = 2, W = 4;

    /** Runs the program on one request: 1 allows, 0 denies. */
    static long run(byte[] prog, int type, int access, int major, int minor) {
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.LITTLE_ENDIAN);
        int[] ctx = {access << 16 | type, major, minor};
        long[] r = new long[11];
        for (int pc = 0; ; pc++) {
            int code = p.get(pc * 8) & 0xff, regs = p.get(pc * 8 + 1) & 0xff, dst = regs & 0xf, src = regs >> 4;
            short off = p.getShort(pc * 8 + 2);
            int imm = p.getInt(pc * 8 + 4);
            switch (code) {
                case 0x61 -> { assertEquals(1, src, "reads the context only"); r[dst] = ctx[off / 4] & 0xffffffffL; }
                case 0x54 -> r[dst] = (r[dst] & imm) & 0xffffffffL;
                case 0x74 -> r[dst] = (r[dst] & 0xffffffffL) >>> imm;
                case 0xb7 -> r[dst] = imm;
                case 0xbc -> r[dst] = r[src] & 0xffffffffL;
                case 0x55 -> { if (r[dst] != imm) pc += off; }
                case 0x95 -> { return r[0]; }
                default -> fail("unexpected instruction " + Integer.toHexString(code));
            }
        }
    }

    /** As the kernel's verifier demands: every instruction can be reached, and every path ends in exit. */
    static void assertVerifiable(byte[] prog) {
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.LITTLE_ENDIAN);
        int n = prog.length / 8;
        boolean[] seen = new boolean[n];
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(0));
        while (!todo.isEmpty()) {
            int pc = todo.pop();
            assertTrue(pc >= 0 && pc < n, "a jump out of the program: " + pc);
            if (seen[pc]) continue;
            seen[pc] = true;
            int code = p.get(pc * 8) & 0xff;
            if (code == 0x95) continue;
            if (code == 0x55) todo.push(pc + 1 + p.getShort(pc * 8 + 2));
            todo.push(pc + 1);
        }
        for (int i = 0; i < n; i++) assertTrue(seen[i], "instruction " + i + " of " + n + " cannot be reached");
    }

    @Test
    void everyProgramPassesTheVerifiersReachabilityCheck() {
        assertVerifiable(DeviceFilter.program(Devices.ALLOWED));
        List<String> privileged = new java.util.ArrayList<>(List.of("allow a"));
        privileged.addAll(Devices.ALLOWED);
        assertVerifiable(DeviceFilter.program(privileged));
        assertVerifiable(DeviceFilter.program(List.of("c 1:3 rwm", "allow a", "deny b 8:0 r")));
        assertVerifiable(DeviceFilter.program(List.of()));
    }

    @Test
    void dockersDefaultListAllowsTheHarmlessNodesAndMknodOnly() {
        byte[] p = DeviceFilter.program(Devices.ALLOWED);
        assertEquals(1, run(p, C, R | W, 1, 3), "/dev/null");
        assertEquals(1, run(p, C, R | W, 136, 7), "a pty");
        assertEquals(1, run(p, C, R | W, 5, 2), "/dev/ptmx");
        assertEquals(1, run(p, B, M, 8, 0), "making a block node is allowed, as in Docker");
        assertEquals(0, run(p, B, R, 8, 0), "reading the host's disk is not");
        assertEquals(0, run(p, B, W, 259, 0), "nor writing an NVMe disk");
        assertEquals(0, run(p, C, R, 1, 11), "/dev/kmsg");
        assertEquals(0, run(p, C, R, 1, 1), "/dev/mem");
    }

    @Test
    void laterRulesOverrideEarlierOnesAndAllowAOpensEverything() {
        assertEquals(1, run(DeviceFilter.program(List.of("allow a")), B, R | W | M, 8, 0));
        List<String> rules = List.of("allow b 8:* rw", "deny b 8:1 w");
        byte[] p = DeviceFilter.program(rules);
        assertEquals(1, run(p, B, R | W, 8, 0));
        assertEquals(1, run(p, B, R, 8, 1), "the deny is for writing only");
        assertEquals(0, run(p, B, W, 8, 1));
        assertEquals(0, run(p, B, M, 8, 0), "mknod was not in the allow");
        assertEquals(0, run(DeviceFilter.program(List.of()), C, R, 1, 3), "no rule: nothing");
    }

    @Test
    void aBadRuleIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceFilter.program(List.of("x 1:3 rwm")));
        assertTrue(e.getMessage().contains("x 1:3 rwm"), e.getMessage());
    }
}
