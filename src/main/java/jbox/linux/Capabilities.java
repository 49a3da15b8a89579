package jbox.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Linux capability names (CAP_CHOWN ...) and numbers, as in linux/capability.h, and the set a
 * container gets: Docker's default set, changed by --cap-add / --cap-drop (CapAdd / CapDrop) the
 * way Docker changes it, or every capability with --privileged.
 */
public final class Capabilities {
    public static final List<String> NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
            "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
    public static final long DOCKER_DEFAULT = mask(List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
            "NET_BIND_SERVICE", "NET_RAW", "SYS_CHROOT", "MKNOD", "AUDIT_WRITE", "SETFCAP"));

    public static final long ALL = (1L << NAMES.size()) - 1;

    private Capabilities() {}

    /** CAP_SYS_ADMIN from "sys_admin", "SYS_ADMIN" or "CAP_SYS_ADMIN"; an unknown name is an error naming it. */
    public static String normalize(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) return n;
        if (!n.startsWith("CAP_")) n = "CAP_" + n;
        if (!NAMES.contains(n)) throw new IllegalArgumentException("unknown capability: \"" + name + "\"");
        return n;
    }

    /** A set of names as a bit mask. */
    public static long mask(List<String> names) {
        long m = 0;
        for (String n : names) m |= 1L << NAMES.indexOf(normalize(n));
        return m;
    }

    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) if ((mask & (1L << i)) != 0) out.add(NAMES.get(i));
        return out;
    }

    /**
     * The container's bounding set, as Docker computes it: everything when privileged; ALL in add
     * gives everything but what drop names; ALL in drop leaves only what add names; otherwise the
     * default set minus drop plus add.
     */
    public static long forContainer(List<String> add, List<String> drop, boolean privileged) {
        if (privileged) return ALL;
        List<String> adds = add.stream().map(Capabilities::normalize).toList();
        List<String> drops = drop.stream().map(Capabilities::normalize).toList();
        if (adds.contains("ALL")) return ALL & ~maskOf(drops);
        if (drops.contains("ALL")) return maskOf(adds);
        return (DOCKER_DEFAULT & ~maskOf(drops)) | maskOf(adds);
    }

    private static long maskOf(List<String> normalized) {
        long m = 0;
        for (String n : normalized) if (!n.equals("ALL")) m |= 1L << NAMES.indexOf(n);
        return m;
    }
}
