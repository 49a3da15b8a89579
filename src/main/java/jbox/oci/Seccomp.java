package jbox.oci;

import com.fasterxml.jackson.databind.JsonNode;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * linux.seccomp turned into a kernel filter with libseccomp (the library runc and crun use), bound
 * with jnr-ffi. The filter is built on an ordinary thread and loaded by the container's namespace
 * thread just before it spawns the container, without TSYNC, so it binds that thread (and the
 * container, which inherits it) and no other thread of the JVM.
 */
final class Seccomp {
    public interface Lib {
        Pointer seccomp_init(int defaultAction);
        int seccomp_arch_add(Pointer ctx, int arch);
        int seccomp_arch_resolve_name(String name);
        int seccomp_arch_native();
        int seccomp_syscall_resolve_name(String name);
        int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int argCount, Pointer args);
        int seccomp_attr_set(Pointer ctx, int attr, int value);
        int seccomp_load(Pointer ctx);
        void seccomp_release(Pointer ctx);
    }

    private static final int ACT_KILL_PROCESS = 0x80000000, ACT_KILL_THREAD = 0, ACT_TRAP = 0x00030000, ACT_ERRNO = 0x00050000,
            ACT_TRACE = 0x7ff00000, ACT_LOG = 0x7ffc0000, ACT_ALLOW = 0x7fff0000;
    private static final int ATTR_CTL_NNP = 3, ATTR_CTL_LOG = 6;
    private static final Map<String, Integer> OPS = Map.of("SCMP_CMP_NE", 1, "SCMP_CMP_LT", 2, "SCMP_CMP_LE", 3, "SCMP_CMP_EQ", 4,
            "SCMP_CMP_GE", 5, "SCMP_CMP_GT", 6, "SCMP_CMP_MASKED_EQ", 7);
    private static final int EPERM = 1;

    private static Lib lib;

    private final Pointer ctx;

    private Seccomp(Pointer ctx) { this.ctx = ctx; }

    private static synchronized Lib lib() {
        if (lib == null) {
            try {
                lib = LibraryLoader.create(Lib.class).load("seccomp");
            } catch (UnsatisfiedLinkError e) {
                throw new OciException("linux.seccomp needs libseccomp, which this host lacks (install libseccomp2)");
            }
        }
        return lib;
    }

    /** Builds the filter; a profile jbox cannot express is refused, naming the field. */
    static Seccomp compile(JsonNode profile) {
        Lib l = lib();
        int defaultAction = action(profile.path("defaultAction").asText(""), profile.path("defaultErrnoRet"), "linux.seccomp.defaultAction");
        Pointer ctx = l.seccomp_init(defaultAction);
        if (ctx == null || ctx.address() == 0) throw new OciException("libseccomp could not start a filter (seccomp_init)");
        Seccomp s = new Seccomp(ctx);
        try {
            check(l.seccomp_attr_set(ctx, ATTR_CTL_NNP, 0), "seccomp_attr_set(NNP off)"); // jbox sets no_new_privs itself, when asked
            for (JsonNode f : profile.path("flags")) {
                switch (f.asText()) {
                    case "SECCOMP_FILTER_FLAG_LOG" -> check(l.seccomp_attr_set(ctx, ATTR_CTL_LOG, 1), "seccomp_attr_set(LOG)");
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> { } // a speculation mitigation choice: the kernel default is kept
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> { } // the filter is loaded by a thread that owns the container alone
                    default -> throw new OciException("config.json: linux.seccomp.flags: \"" + f.asText() + "\" is not supported by jbox");
                }
            }
            for (JsonNode a : profile.path("architectures")) {
                String name = a.asText().replaceFirst("^SCMP_ARCH_", "").toLowerCase();
                int arch = l.seccomp_arch_resolve_name(name);
                if (arch == 0) throw new OciException("config.json: linux.seccomp.architectures: unknown architecture " + a.asText());
                if (arch == l.seccomp_arch_native()) continue; // already in the filter
                int rc = l.seccomp_arch_add(ctx, arch);
                if (rc != 0 && rc != -17 /* EEXIST */) throw new OciException("libseccomp refused architecture " + a.asText() + " (errno " + -rc + ")");
            }
            for (JsonNode rule : profile.path("syscalls")) {
                int act = action(rule.path("action").asText(""), rule.path("errnoRet"), "linux.seccomp.syscalls");
                if (act == defaultAction) continue; // libseccomp refuses rules that repeat the default; they change nothing
                List<long[]> args = new ArrayList<>();
                Map<Integer, Integer> perIndex = new HashMap<>();
                for (JsonNode arg : rule.path("args")) {
                    Integer op = OPS.get(arg.path("op").asText());
                    if (op == null) throw new OciException("config.json: linux.seccomp: unknown operator " + arg.path("op").asText());
                    int index = arg.path("index").asInt();
                    perIndex.merge(index, 1, Integer::sum);
                    args.add(new long[] {index, op, arg.path("value").asLong(), arg.path("valueTwo").asLong()});
                }
                boolean separate = perIndex.values().stream().anyMatch(n -> n > 1); // the same argument twice: either matches (runc's rule)
                for (JsonNode nameNode : rule.path("names")) {
                    int nr = l.seccomp_syscall_resolve_name(nameNode.asText());
                    if (nr == -1) continue; // a call this kernel or architecture does not have, as runc skips it
                    if (separate) {
                        for (long[] a : args) add(l, ctx, act, nr, List.of(a), nameNode.asText());
                    } else {
                        add(l, ctx, act, nr, args, nameNode.asText());
                    }
                }
            }
            return s;
        } catch (RuntimeException e) {
            l.seccomp_release(ctx);
            throw e;
        }
    }

    private static void add(Lib l, Pointer ctx, int action, int nr, List<long[]> args, String name) {
        Pointer arr = null;
        if (!args.isEmpty()) {
            arr = Memory.allocateDirect(jbox.sys.Sys.runtime(), 24 * args.size(), true);
            for (int i = 0; i < args.size(); i++) {
                long[] a = args.get(i);
                arr.putInt(24L * i, (int) a[0]);
                arr.putInt(24L * i + 4, (int) a[1]);
                arr.putLong(24L * i + 8, a[2]);
                arr.putLong(24L * i + 16, a[3]);
            }
        }
        int rc = l.seccomp_rule_add_array(ctx, action, nr, args.size(), arr);
        if (rc != 0) throw new OciException("libseccomp refused the rule for " + name + " (errno " + -rc + ")");
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
            case "SCMP_ACT_NOTIFY" -> throw new OciException("config.json: " + field + ": SCMP_ACT_NOTIFY (user notification) is not supported by jbox");
            default -> throw new OciException("config.json: " + field + ": unknown action \"" + name + "\"");
        };
    }

    private static void check(int rc, String what) {
        if (rc != 0) throw new OciException("libseccomp: " + what + " failed (errno " + -rc + ")");
    }

    /** On the namespace thread, just before the spawn: this thread and its children are filtered from now on. */
    void load() {
        int rc = lib().seccomp_load(ctx);
        if (rc != 0) throw new jbox.sys.SyscallException("seccomp_load", "the container's filter", -rc);
    }

    void release() { lib().seccomp_release(ctx); }
}
