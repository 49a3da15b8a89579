package jbox.oci;

import java.util.List;

/** Linux capability names (CAP_CHOWN ...) and numbers, as in linux/capability.h. */
final class Capabilities {
    static final List<String> NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
            "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    private Capabilities() {}

    /** A set of names as a bit mask; an unknown name is an error, as in runc. */
    static long mask(List<String> names, String field) {
        long m = 0;
        for (String n : names) {
            int i = NAMES.indexOf(n.toUpperCase().startsWith("CAP_") ? n.toUpperCase() : "CAP_" + n.toUpperCase());
            if (i < 0) throw new OciException("config.json: " + field + ": unknown capability \"" + n + "\"");
            m |= 1L << i;
        }
        return m;
    }

    static List<String> names(long mask) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) if ((mask & (1L << i)) != 0) out.add(NAMES.get(i));
        return out;
    }
}
