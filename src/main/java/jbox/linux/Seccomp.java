package jbox.linux;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.sys.Sys;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A seccomp profile in the OCI runtime specification's form (linux.seccomp) turned into the
 * kernel's filter: libseccomp (the library runc and crun use, bound with jnr-ffi) compiles the
 * rules into a BPF program, and jbox puts a short stub in front of it, as runc does, that answers
 * ENOSYS to calls newer than any the profile names and to clone3 when the profile does not name
 * it. glibc tries clone3 first and falls back to clone only on ENOSYS, so without the stub a
 * profile written before clone3 existed would make every posix_spawn (the container's own start
 * included) fail with EPERM.
 *
 * <p>The filter is built on an ordinary thread and loaded with seccomp(2), without TSYNC, by the
 * thread that spawns the container, just before the spawn: it binds that thread and the container,
 * which inherits it, and no other thread of the JVM. That thread still makes a few calls after
 * loading it (finishing posix_spawn, its own exit), so a profile that forbids one of them would
 * break jbox itself: {@link #compile} refuses such a profile, naming the call.
 */
public final class Seccomp {
    public interface Lib {
        Pointer seccomp_init(int defaultAction);
        int seccomp_arch_add(Pointer ctx, int arch);
        int seccomp_arch_resolve_name(String name);
        int seccomp_arch_native();
        int seccomp_syscall_resolve_name(String name);
        int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int argCount, Pointer args);
        int seccomp_attr_set(Pointer ctx, int attr, int value);
        int seccomp_export_bpf(Pointer ctx, int fd);
        void seccomp_release(Pointer ctx);
    }

    private static final int ACT_KILL_PROCESS = 0x80000000, ACT_KILL_THREAD = 0, ACT_TRAP = 0x00030000, ACT_ERRNO = 0x00050000,
            ACT_TRACE = 0x7ff00000, ACT_LOG = 0x7ffc0000, ACT_ALLOW = 0x7fff0000;
    private static final int ATTR_CTL_NNP = 3;
    private static final int FLAG_LOG = 2;
    private static final Map<String, Integer> OPS = Map.of("SCMP_CMP_NE", 1, "SCMP_CMP_LT", 2, "SCMP_CMP_LE", 3, "SCMP_CMP_EQ", 4,
            "SCMP_CMP_GE", 5, "SCMP_CMP_GT", 6, "SCMP_CMP_MASKED_EQ", 7);
    private static final int EPERM = 1, ENOSYS = 38;

    /**
     * What the loading thread still calls after the filter is in place, measured with strace -f on
     * jbox run: glibc's posix_spawn (its stack, signal mask, clone, clone3 whose ENOSYS makes glibc use
     * clone), the JVM loading a class the spawn step uses (stat, seek and read in jbox's jars), and the
     * end of a JVM thread (close, futex wake-ups, unmapping, its own exit). These must succeed. (clone
     * is not here: profiles allow it for flags without namespaces, as Docker's does, which posix_spawn's
     * are; a profile that refuses it fails the spawn, which says so.)
     */
    static final List<String> NEEDED_AFTER_LOAD = List.of("mmap", "munmap", "mprotect", "rt_sigprocmask", "rt_sigreturn",
            "futex", "close", "exit", "read", "lseek", "newfstatat");

    /** Calls the thread may make whose failure does no harm (madvise frees its stack early; the rest glibc tolerates): an errno is enough. */
    static final List<String> TOLERATED_AFTER_LOAD = List.of("madvise", "sched_yield", "gettid", "getpid", "sigaltstack",
            "set_robust_list", "rseq");

    private static Lib lib;

    private final Pointer program;
    private final Pointer code; // the instructions program points to: kept alive with it
    private final int instructions;
    private final int flags;
    private final String description;

    private Seccomp(Pointer program, Pointer code, int instructions, int flags, String description) {
        this.program = program;
        this.code = code;
        this.instructions = instructions;
        this.flags = flags;
        this.description = description;
    }

    private static synchronized Lib lib() {
        if (lib == null) {
            try {
                lib = LibraryLoader.create(Lib.class).load("seccomp");
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalArgumentException("a seccomp profile needs libseccomp, which this host lacks (install libseccomp2)");
            }
        }
        return lib;
    }

    /**
     * Builds the filter. A profile jbox cannot express, or one that would forbid what the loading
     * thread still does, is refused with an IllegalArgumentException naming the field or call.
     *
     * @param name what the profile is, for explain mode and errors ("the default profile")
     */
    public static Seccomp compile(JsonNode profile, String name) {
        Lib l = lib();
        int defaultAction = action(profile.path("defaultAction").asText(""), profile.path("defaultErrnoRet"), "defaultAction");
        checkLoaderSurvives(profile, defaultAction, l);
        Pointer ctx = l.seccomp_init(defaultAction);
        if (ctx == null || ctx.address() == 0) throw new IllegalStateException("libseccomp could not start a filter (seccomp_init)");
        try {
            check(l.seccomp_attr_set(ctx, ATTR_CTL_NNP, 0), "seccomp_attr_set(NNP off)"); // no_new_privs is set, when asked, by the caller
            // libseccomp's own order of rules, as runc and crun take it, not its binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2):
            // the kernel (5.11 on) answers a call allowed whatever its arguments from a bitmap without running the
            // filter, and the tree's longer program (1,211 against 980 instructions for the default profile) took
            // 25.6 against 14.9 KB of the kernel's memory per container.
            int flags = 0;
            for (JsonNode f : profile.path("flags")) {
                switch (f.asText()) {
                    case "SECCOMP_FILTER_FLAG_LOG" -> flags |= FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> { } // a speculation mitigation choice: the kernel default is kept
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> { } // the filter is loaded by a thread that owns the container alone
                    default -> throw new IllegalArgumentException("flags: \"" + f.asText() + "\" is not supported by jbox");
                }
            }
            for (JsonNode a : profile.path("architectures")) {
                String arch = a.asText().replaceFirst("^SCMP_ARCH_", "").toLowerCase();
                int code = l.seccomp_arch_resolve_name(arch);
                if (code == 0) throw new IllegalArgumentException("architectures: unknown architecture " + a.asText());
                if (code == l.seccomp_arch_native()) continue; // already in the filter
                int rc = l.seccomp_arch_add(ctx, code);
                if (rc != 0 && rc != -17 /* EEXIST */) throw new IllegalArgumentException("libseccomp refused architecture " + a.asText() + " (errno " + -rc + ")");
            }
            int highest = -1;
            boolean namesClone3 = false;
            for (JsonNode rule : profile.path("syscalls")) {
                int act = action(rule.path("action").asText(""), rule.path("errnoRet"), "syscalls");
                List<long[]> args = new ArrayList<>();
                Map<Integer, Integer> perIndex = new HashMap<>();
                for (JsonNode arg : rule.path("args")) {
                    Integer op = OPS.get(arg.path("op").asText());
                    if (op == null) throw new IllegalArgumentException("syscalls: unknown operator " + arg.path("op").asText());
                    int index = arg.path("index").asInt();
                    perIndex.merge(index, 1, Integer::sum);
                    args.add(new long[] {index, op, arg.path("value").asLong(), arg.path("valueTwo").asLong()});
                }
                boolean separate = perIndex.values().stream().anyMatch(n -> n > 1); // the same argument twice: either matches (runc's rule)
                for (JsonNode nameNode : rule.path("names")) {
                    int nr = l.seccomp_syscall_resolve_name(nameNode.asText());
                    if (nr < 0) continue; // a call this kernel or architecture does not have, as runc skips it
                    highest = Math.max(highest, nr);
                    namesClone3 |= nameNode.asText().equals("clone3");
                    if (act == defaultAction) continue; // libseccomp refuses rules that repeat the default; they change nothing
                    if (separate) {
                        for (long[] a : args) add(l, ctx, act, nr, List.of(a), nameNode.asText());
                    } else {
                        add(l, ctx, act, nr, args, nameNode.asText());
                    }
                }
            }
            byte[] filter = export(l, ctx);
            byte[] stub = allowsByDefault(defaultAction) ? new byte[0] : Bpf.enosysStub(highest, namesClone3 ? -1 : l.seccomp_syscall_resolve_name("clone3"));
            int count = (stub.length + filter.length) / 8;
            if (count > 4096) throw new IllegalArgumentException("the profile makes a filter of " + count + " instructions; the kernel takes at most 4096");
            Pointer code = Memory.allocateDirect(Sys.runtime(), stub.length + filter.length, true);
            code.put(0, stub, 0, stub.length);
            code.put(stub.length, filter, 0, filter.length);
            Pointer prog = Memory.allocateDirect(Sys.runtime(), 16, true); // struct sock_fprog {u16 len; struct sock_filter *filter}
            prog.putShort(0, (short) count);
            prog.putAddress(8, code.address());
            return new Seccomp(prog, code, count, flags, name);
        } finally {
            l.seccomp_release(ctx);
        }
    }

    private static boolean allowsByDefault(int action) { return action == ACT_ALLOW || action == ACT_LOG || action == ACT_TRACE; }

    /**
     * Refuses a profile under which the loading thread could not finish: each call it needs must be
     * allowed whatever its arguments (a rule naming it with conditions, or a default that denies, would
     * let the kernel refuse it or kill jbox); a call it only tolerates losing may also get an errno,
     * but must not kill or trap.
     */
    private static void checkLoaderSurvives(JsonNode profile, int defaultAction, Lib l) {
        Map<String, Integer> unconditional = new HashMap<>();
        Set<String> conditional = new HashSet<>();
        for (JsonNode rule : profile.path("syscalls")) {
            int act = action(rule.path("action").asText(""), rule.path("errnoRet"), "syscalls");
            for (JsonNode n : rule.path("names")) {
                if (!rule.path("args").isEmpty()) conditional.add(n.asText());
                else unconditional.put(n.asText(), act);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String call : NEEDED_AFTER_LOAD) {
            if (l.seccomp_syscall_resolve_name(call) < 0) continue; // not on this architecture
            if (!allows(call, unconditional, conditional, defaultAction, false)) missing.add(call);
        }
        for (String call : TOLERATED_AFTER_LOAD) {
            if (l.seccomp_syscall_resolve_name(call) < 0) continue;
            if (!allows(call, unconditional, conditional, defaultAction, true)) missing.add(call);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the profile does not allow " + String.join(", ", missing)
                    + ": jbox's starting thread still makes these calls after it loads the filter (to finish posix_spawn and end itself),"
                    + " as runc's own process does before exec; allow them unconditionally");
        }
    }

    private static boolean allows(String call, Map<String, Integer> unconditional, Set<String> conditional, int defaultAction, boolean errnoWillDo) {
        Integer named = unconditional.get(call);
        int act = named != null ? named : defaultAction;
        if (named == null && conditional.contains(call)) return false; // what it gets depends on arguments jbox does not choose
        return allowsByDefault(act) || errnoWillDo && (act & 0xffff0000) == ACT_ERRNO;
    }

    /** libseccomp's program, written through a memfd (libseccomp 2.5 exports only to a descriptor). */
    private static byte[] export(Lib l, Pointer ctx) {
        int fd = Sys.memfd("jbox-seccomp");
        try {
            check(l.seccomp_export_bpf(ctx, fd), "seccomp_export_bpf");
            return Sys.readFromStart(fd);
        } finally {
            Sys.close(fd);
        }
    }

    private static void add(Lib l, Pointer ctx, int action, int nr, List<long[]> args, String name) {
        Pointer arr = null;
        if (!args.isEmpty()) {
            arr = Memory.allocateDirect(Sys.runtime(), 24 * args.size(), true);
            for (int i = 0; i < args.size(); i++) {
                long[] a = args.get(i);
                arr.putInt(24L * i, (int) a[0]);
                arr.putInt(24L * i + 4, (int) a[1]);
                arr.putLong(24L * i + 8, a[2]);
                arr.putLong(24L * i + 16, a[3]);
            }
        }
        int rc = l.seccomp_rule_add_array(ctx, action, nr, args.size(), arr);
        if (rc != 0) throw new IllegalArgumentException("libseccomp refused the rule for " + name + " (errno " + -rc + ")");
    }

    private static int action(String name, JsonNode errnoRet, String field) {
        int errno = errnoRet.isNumber() ? errnoRet.asInt() : EPERM;
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> ACT_TRAP;
            case "SCMP_ACT_ERRNO" -> ACT_ERRNO | (errno & 0xffff);
            case "SCMP_ACT_TRACE" -> ACT_TRACE | (errno & 0xffff);
            case "SCMP_ACT_LOG" -> ACT_LOG;
            case "SCMP_ACT_ALLOW" -> ACT_ALLOW;
            case "SCMP_ACT_NOTIFY" -> throw new IllegalArgumentException(field + ": SCMP_ACT_NOTIFY (user notification) is not supported by jbox");
            default -> throw new IllegalArgumentException(field + ": unknown action \"" + name + "\"");
        };
    }

    private static void check(int rc, String what) {
        if (rc != 0) throw new IllegalStateException("libseccomp: " + what + " failed (errno " + -rc + ")");
    }

    /** On the spawning thread, just before the spawn: this thread and its children are filtered from now on. No allocation. */
    public void load() {
        Sys.seccompFilter(flags, program, instructions + " instructions: " + description);
    }

    public int instructions() { return instructions; }

    /** seccomp(2)'s flags for this filter (SECCOMP_FILTER_FLAG_LOG, ...). */
    public int flags() { return flags; }

    /** The filter's instructions in an anonymous file (close-on-exec), for a process that loads it itself: jbox-ns. */
    public int toMemfd() {
        byte[] bytes = new byte[instructions * 8];
        code.get(0, bytes, 0, bytes.length);
        int fd = Sys.memfd("jbox-seccomp");
        Sys.writeAll(fd, bytes, bytes.length);
        return fd;
    }

    /** The few classic-BPF instructions jbox writes itself. */
    static final class Bpf {
        private static final int LD_W_ABS = 0x20, JEQ = 0x15, JGT = 0x25, JSET = 0x45, JA = 0x05, RET = 0x06;
        private static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_AARCH64 = 0xC00000B7;
        private static final int X32_BIT = 0x40000000;

        private Bpf() {}

        /**
         * Before libseccomp's program, for this machine's architecture: calls numbered above
         * {@code highest} get ENOSYS, and so does {@code clone3} (its number, or -1 to leave it to the filter).
         */
        static byte[] enosysStub(int highest, int clone3) {
            boolean x86 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
            int arch = x86 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
            List<int[]> p = new ArrayList<>();
            // Jump offsets count from the next instruction; "filter" is the first instruction after the stub.
            int filter = x86 ? 7 : 6, enosys = filter - 1;
            p.add(new int[]{LD_W_ABS, 0, 0, 4});                                        // A = seccomp_data.arch
            p.add(new int[]{JEQ, 0, filter - 2, arch});                                  // another ABI: the filter decides
            p.add(new int[]{LD_W_ABS, 0, 0, 0});                                        // A = seccomp_data.nr
            if (x86) p.add(new int[]{JSET, filter - 4, 0, X32_BIT});                    // x32 calls: the filter decides
            int at = p.size();
            p.add(new int[]{JGT, enosys - at - 1, 0, highest < 0 ? Integer.MAX_VALUE : highest});
            at = p.size();
            if (clone3 >= 0) p.add(new int[]{JEQ, enosys - at - 1, filter - at - 1, clone3});
            else p.add(new int[]{JA, 0, 0, filter - at - 1});
            p.add(new int[]{RET, 0, 0, ACT_ERRNO | ENOSYS});
            byte[] out = new byte[p.size() * 8];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.nativeOrder());
            for (int[] i : p) {
                b.putShort((short) i[0]);
                b.put((byte) i[1]);
                b.put((byte) i[2]);
                b.putInt(i[3]);
            }
            return out;
        }
    }
}
