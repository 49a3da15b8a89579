package jbox.linux;

import jbox.sys.ProcFiles;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static jbox.sys.Linux.*;

/** Docker's default hardening of kernel paths: masked and read-only files under /proc and /sys. */
public final class Hardening {
    private Hardening() {}

    /** Kernel files that leak host information or control the host, hidden as Docker hides them. */
    public static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    public static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

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

    public static int lastCap() {
        try {
            return Integer.parseInt(ProcFiles.read(Path.of("/proc/sys/kernel/cap_last_cap")).trim());
        } catch (IOException | NumberFormatException e) {
            return 40;
        }
    }
}
