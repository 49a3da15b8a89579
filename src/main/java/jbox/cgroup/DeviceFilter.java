package jbox.cgroup;

import jbox.sys.Linux;
import jbox.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cgroup v2's devices "controller": an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to
 * the container's cgroup, which the kernel asks before any device node is opened or made. v2 has no
 * devices.allow files; runc, crun and youki build the same kind of program from the same rule list.
 *
 * <p>The program reads the request (struct bpf_cgroup_dev_ctx: access_type = access &lt;&lt; 16 | type,
 * major, minor), tries the rules from the last to the first (a later rule overrides an earlier one,
 * as writes to devices.allow and devices.deny do), and answers 1 (allow) or 0 (deny, EPERM) at the
 * first that matches; nothing matching is denied.
 */
public final class DeviceFilter {
    private static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13, BPF_PROG_QUERY = 16;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2;
    private static final int ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

    private DeviceFilter() {}

    /** One rule as devices.allow reads it: "c 1:3 rwm", "b *:* m", "a"; allow or deny. */
    record Rule(boolean allow, int type, long major, long minor, int access) {
        static final long ANY = -1;

        static Rule parse(String text) {
            String t = text.trim();
            boolean allow = true;
            if (t.startsWith("allow ")) t = t.substring(6).trim();
            else if (t.startsWith("deny ")) {
                allow = false;
                t = t.substring(5).trim();
            }
            if (t.equals("a")) return new Rule(allow, 0, ANY, ANY, ACC_MKNOD | ACC_READ | ACC_WRITE);
            String[] f = t.split("\\s+");
            if (f.length != 3 || !f[1].contains(":")) throw new IllegalArgumentException("not a device rule: \"" + text + "\"");
            int type = switch (f[0]) {
                case "a" -> 0;
                case "b" -> DEV_BLOCK;
                case "c" -> DEV_CHAR;
                default -> throw new IllegalArgumentException("device type must be a, b or c in \"" + text + "\"");
            };
            String[] mm = f[1].split(":");
            int access = 0;
            for (char c : f[2].toCharArray()) {
                access |= switch (c) {
                    case 'r' -> ACC_READ;
                    case 'w' -> ACC_WRITE;
                    case 'm' -> ACC_MKNOD;
                    default -> throw new IllegalArgumentException("device access must be of r, w, m in \"" + text + "\"");
                };
            }
            return new Rule(allow, type, number(mm[0]), number(mm[1]), access);
        }

        private static long number(String s) { return s.equals("*") ? ANY : Long.parseLong(s); }
    }

    /** The program's instructions (8 bytes each, little-endian as the kernel reads them on x86_64 and arm64). */
    public static byte[] program(List<String> rules) {
        Asm a = new Asm();
        a.ldxw(2, 1, 0);      // r2 = access_type
        a.andK(2, 0xffff);    // r2 = type
        a.ldxw(3, 1, 0);
        a.rshK(3, 16);        // r3 = access
        a.ldxw(4, 1, 4);      // r4 = major
        a.ldxw(5, 1, 8);      // r5 = minor
        List<Rule> parsed = new ArrayList<>();
        for (String r : rules) parsed.add(Rule.parse(r));
        for (int i = parsed.size() - 1; i >= 0; i--) {
            // a rule for every device decides every request: the verifier refuses code after it (unreachable)
            if (block(a, parsed.get(i))) return a.bytes();
        }
        a.movK(0, 0);
        a.exit();
        return a.bytes();
    }

    /** One rule: jumps past its end when the request does not match; returns its verdict when it does. True if it matches all. */
    private static boolean block(Asm out, Rule r) {
        List<long[]> checks = new ArrayList<>(); // {kind, value}: 0 type, 1 access, 2 major, 3 minor
        if (r.type() != 0) checks.add(new long[]{0, r.type()});
        int all = ACC_MKNOD | ACC_READ | ACC_WRITE;
        if ((r.access() & all) != all) checks.add(new long[]{1, ~r.access() & all});
        if (r.major() != Rule.ANY) checks.add(new long[]{2, r.major()});
        if (r.minor() != Rule.ANY) checks.add(new long[]{3, r.minor()});
        int length = 2;
        for (long[] c : checks) length += c[0] == 1 ? 3 : 1;
        int at = 0;
        for (long[] c : checks) {
            switch ((int) c[0]) {
                case 0 -> out.jneK(2, (int) c[1], length - at - 1);
                case 1 -> {
                    // an access outside the rule's: r1 = access & ~allowed, not zero
                    out.movX(1, 3);
                    out.andK(1, (int) c[1]);
                    out.jneK(1, 0, length - at - 3);
                }
                case 2 -> out.jneK(4, (int) c[1], length - at - 1);
                default -> out.jneK(5, (int) c[1], length - at - 1);
            }
            at += c[0] == 1 ? 3 : 1;
        }
        out.movK(0, r.allow() ? 1 : 0);
        out.exit();
        return checks.isEmpty();
    }

    /**
     * Attaches the program for rules to the cgroup directory, in place of any device program attached
     * there before (jbox's own, from the cgroup's creation); the cgroup is never without one once it
     * has one, except between the detach and the attach, before any process has joined it.
     */
    public static void attach(Path cgroupDir, List<String> rules) {
        int dir = Sys.open(cgroupDir.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC | 0200000 /* O_DIRECTORY */, 0);
        try {
            detachAll(dir);
            int prog = load(program(rules), rules.size() + " device rules");
            try {
                Pointer attr = attr();
                attr.putInt(0, dir);
                attr.putInt(4, prog);
                attr.putInt(8, BPF_CGROUP_DEVICE);
                attr.putInt(12, BPF_F_ALLOW_MULTI);
                Sys.bpf(BPF_PROG_ATTACH, attr, 128, "BPF_PROG_ATTACH, " + cgroupDir + ", BPF_CGROUP_DEVICE");
            } finally {
                Sys.close(prog); // the attachment keeps the program
            }
        } finally {
            Sys.close(dir);
        }
    }

    private static int load(byte[] insns, String what) {
        Pointer code = Memory.allocateDirect(Sys.runtime(), insns.length);
        code.put(0, insns, 0, insns.length);
        byte[] license = "Apache-2.0\0".getBytes(StandardCharsets.US_ASCII);
        Pointer lic = Memory.allocateDirect(Sys.runtime(), license.length);
        lic.put(0, license, 0, license.length);
        Pointer attr = attr();
        attr.putInt(0, BPF_PROG_TYPE_CGROUP_DEVICE);
        attr.putInt(4, insns.length / 8);
        attr.putLong(8, code.address());
        attr.putLong(16, lic.address());
        return (int) Sys.bpf(BPF_PROG_LOAD, attr, 128, "BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, {" + insns.length / 8 + " instructions: " + what + "}");
    }

    /** Detaches every device program from the cgroup (a fresh container cgroup: only jbox's). */
    private static void detachAll(int dir) {
        Pointer ids = Memory.allocateDirect(Sys.runtime(), 4 * 64);
        Pointer q = attr();
        q.putInt(0, dir);
        q.putInt(4, BPF_CGROUP_DEVICE);
        q.putLong(16, ids.address());
        q.putInt(24, 64);
        Sys.bpf(BPF_PROG_QUERY, q, 128, "BPF_PROG_QUERY, BPF_CGROUP_DEVICE");
        int count = Math.min(q.getInt(24), 64);
        for (int i = 0; i < count; i++) {
            Pointer byId = attr();
            byId.putInt(0, ids.getInt(4L * i));
            int prog = (int) Sys.bpf(BPF_PROG_GET_FD_BY_ID, byId, 128, "BPF_PROG_GET_FD_BY_ID");
            try {
                Pointer d = attr();
                d.putInt(0, dir);
                d.putInt(4, prog);
                d.putInt(8, BPF_CGROUP_DEVICE);
                Sys.bpf(BPF_PROG_DETACH, d, 128, "BPF_PROG_DETACH, BPF_CGROUP_DEVICE");
            } finally {
                Sys.close(prog);
            }
        }
    }

    private static Pointer attr() {
        Pointer p = Memory.allocateDirect(Sys.runtime(), 128);
        for (int i = 0; i < 128; i += 8) p.putLong(i, 0);
        return p;
    }

    /** The few eBPF instructions the program needs. */
    private static final class Asm {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void insn(int code, int dst, int src, int off, int imm) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) code).put((byte) ((src << 4) | dst)).putShort((short) off).putInt(imm);
            out.writeBytes(b.array());
        }

        void ldxw(int dst, int src, int off) { insn(0x61, dst, src, off, 0); }   // BPF_LDX|BPF_MEM|BPF_W
        void andK(int dst, int imm) { insn(0x54, dst, 0, 0, imm); }             // BPF_ALU|BPF_AND|BPF_K
        void rshK(int dst, int imm) { insn(0x74, dst, 0, 0, imm); }             // BPF_ALU|BPF_RSH|BPF_K
        void movK(int dst, int imm) { insn(0xb7, dst, 0, 0, imm); }             // BPF_ALU64|BPF_MOV|BPF_K
        void movX(int dst, int src) { insn(0xbc, dst, src, 0, 0); }             // BPF_ALU|BPF_MOV|BPF_X
        void jneK(int dst, int imm, int off) { insn(0x55, dst, 0, off, imm); }  // BPF_JMP|BPF_JNE|BPF_K
        void exit() { insn(0x95, 0, 0, 0, 0); }                                 // BPF_JMP|BPF_EXIT

        byte[] bytes() { return out.toByteArray(); }
    }
}
