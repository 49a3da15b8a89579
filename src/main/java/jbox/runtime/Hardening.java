package jbox.runtime;

import jbox.sys.Errnos;
import jbox.sys.Linux;
import jbox.sys.ProcFiles;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static jbox.sys.Linux.*;

/** Docker's default hardening: masked and read-only kernel paths, a reduced capability set, no_new_privs. */
public final class Hardening {
    private Hardening() {}

    /** Kernel files that leak host information or control the host, hidden as Docker hides them. */
    static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Docker's default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
    static final int[] DEFAULT_CAPS = {0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31};

    /** Masks and read-only binds under root, before pivot_root. Paths the kernel lacks are skipped. */
    public static void protectKernelPaths(Path root) throws IOException {
        protectKernelPaths(root, MASKED, READ_ONLY);
    }

    /** The same with the lists an OCI bundle's config.json gives (maskedPaths, readonlyPaths). */
    public static void protectKernelPaths(Path root, List<String> masked, List<String> readOnly) throws IOException {
        String devNull = root.resolve("dev/null").toString();
        for (String p : masked) {
            Path target = root.resolve(p.substring(1));
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) continue;
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Sys.mount("tmpfs", target.toString(), "tmpfs", MS_RDONLY, null);
            } else {
                Sys.mount(devNull, target.toString(), null, MS_BIND, null);
            }
        }
        for (String p : readOnly) {
            Path target = root.resolve(p.substring(1));
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) continue;
            Sys.mount(target.toString(), target.toString(), null, MS_BIND | MS_REC, null);
            Sys.mount(target.toString(), target.toString(), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
    }

    static int lastCap() {
        try {
            return Integer.parseInt(ProcFiles.read(Path.of("/proc/sys/kernel/cap_last_cap")).trim());
        } catch (IOException | NumberFormatException e) {
            return 40;
        }
    }

    /**
     * Prepares the calling thread's credentials so that the process it spawns next runs as the
     * container user with Docker's capability set. All per-thread raw calls: glibc's setresuid
     * would change every thread of the JVM. The thread keeps its own effective capabilities
     * (the bounding set only limits what exec grants), so its remaining file actions still work.
     */
    static void dropForChild(User user, int lastCap) {
        Sys.prctl(PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS");
        long keep = 0;
        for (int cap : DEFAULT_CAPS) keep |= 1L << cap;
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((keep & (1L << cap)) == 0) {
                try {
                    Sys.prctl(PR_CAPBSET_DROP, cap, "PR_CAPBSET_DROP " + cap);
                } catch (SyscallException e) {
                    if (e.errno() != Errnos.EINVAL) throw e; // a capability this kernel does not know
                }
            }
        }
        long permitted = Sys.capgetPermitted();
        Sys.prctl(PR_SET_KEEPCAPS, 1, "PR_SET_KEEPCAPS");
        Sys.setgroups(user.groups());
        Sys.setresgid(user.gid());
        Sys.setresuid(user.uid());
        // Back to full effective caps for the child's file actions; exec then computes the final set.
        Sys.capset(permitted, permitted, 0);
    }
}
