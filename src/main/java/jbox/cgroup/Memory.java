package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory controller. v1: memory.limit_in_bytes, memory.memsw.limit_in_bytes (memory+swap),
 * memory.soft_limit_in_bytes (reservation), memory.swappiness, memory.oom_control,
 * memory.kmem.tcp.limit_in_bytes, memory.usage_in_bytes, memory.max_usage_in_bytes. v2: memory.max,
 * memory.swap.max (swap alone), memory.low (reservation), memory.current, memory.peak,
 * memory.events; v2 has no swappiness, no switch for the OOM killer and no TCP buffer limit.
 */
final class Memory {
    private Memory() {}

    record Reading(long usage, long maxUsage, long limit, long oomKills) {}

    static void apply(ContainerCgroup g, Resources r) {
        applyLimit(g, r);
        applyTuning(g, r);
    }

    private static void applyTuning(ContainerCgroup g, Resources r) {
        if (r.memoryReservation() != null) {
            Path dir = g.require("memory", "--memory-reservation");
            CgroupFiles.write(dir.resolve(g.isUnified("memory") ? "memory.low" : "memory.soft_limit_in_bytes"), Long.toString(r.memoryReservation()));
        }
        if (r.memorySwappiness() != null && !(g.isUnified("memory") && r.memorySwappiness() == hostSwappiness())) {
            CgroupFiles.write(v1Only(g, "--memory-swappiness", "memory.swappiness", "the kernel's vm.swappiness applies to every group"),
                    Long.toString(r.memorySwappiness()));
        }
        if (Boolean.TRUE.equals(r.oomKillDisable())) {
            CgroupFiles.write(v1Only(g, "--oom-kill-disable", "memory.oom_control", "memory.oom.group and memory.high are the tools there"), "1");
        }
        if (r.kernelMemoryTcp() != null) {
            CgroupFiles.write(v1Only(g, "kernelTCP", "memory.kmem.tcp.limit_in_bytes", "TCP buffers count towards memory.max there"),
                    Long.toString(r.kernelMemoryTcp()));
        }
    }

    /** vm.swappiness, which every v2 group follows: asking for it there asks for nothing. */
    private static long hostSwappiness() {
        Path f = Path.of("/proc/sys/vm/swappiness");
        return Files.exists(f) ? number(f) : -1;
    }

    /** A v1 memory file for a setting cgroup v2 does not have: on v2 (or without the file) a refusal that says why. */
    private static Path v1Only(ContainerCgroup g, String flag, String file, String instead) {
        Path dir = g.require("memory", flag);
        if (g.isUnified("memory") || !Files.exists(dir.resolve(file))) {
            throw new CgroupException(flag + " needs cgroup v1's " + file + ", which this host's memory controller (cgroup v2) does not have ("
                    + instead + "): drop the setting", null);
        }
        return dir.resolve(file);
    }

    private static void applyLimit(ContainerCgroup g, Resources r) {
        if (r.memory() == null && r.memorySwap() == null) return;
        Path dir = g.require("memory", "--memory");
        if (r.memory() != null && r.memory() < Resources.MINIMUM_MEMORY) {
            throw new CgroupException("--memory " + Units.binary(r.memory()) + " is too low: the minimum memory limit allowed is 6MB", null);
        }
        Long swap = r.memorySwap();
        if (swap == null && r.memory() != null) swap = 2 * r.memory(); // Docker's default: as much swap as memory
        if (swap != null && swap != -1 && r.memory() != null && swap < r.memory()) {
            throw new CgroupException("--memory-swap (" + Units.binary(swap) + ") must be at least --memory (" + Units.binary(r.memory())
                    + "): it is memory plus swap", null);
        }
        if (g.isUnified("memory")) {
            if (r.memory() != null) CgroupFiles.write(dir.resolve("memory.max"), Long.toString(r.memory()));
            if (swap != null && Files.exists(dir.resolve("memory.swap.max"))) {
                CgroupFiles.write(dir.resolve("memory.swap.max"), swap == -1 ? "max" : Long.toString(swap - r.memory()));
            }
        } else {
            Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
            boolean withSwap = swap != null && Files.exists(memsw);
            // v1 keeps limit <= memsw at every moment: raise memsw first when growing, lower the limit first when shrinking.
            boolean swapFirst = withSwap && r.memory() != null && r.memory() > number(memsw);
            if (swapFirst) CgroupFiles.write(memsw, Long.toString(swap));
            if (r.memory() != null) CgroupFiles.write(dir.resolve("memory.limit_in_bytes"), Long.toString(r.memory()));
            if (withSwap && !swapFirst) CgroupFiles.write(memsw, Long.toString(swap));
        }
    }

    static Reading read(ContainerCgroup g) {
        Path dir = g.dir("memory");
        if (dir == null) return new Reading(0, -1, -1, 0);
        if (g.isUnified("memory")) {
            long current = number(dir.resolve("memory.current"));
            long inactive = field(dir.resolve("memory.stat"), "inactive_file");
            long peak = Files.exists(dir.resolve("memory.peak")) ? number(dir.resolve("memory.peak")) : -1;
            return new Reading(Math.max(0, current - inactive), peak, number(dir.resolve("memory.max")), oomKills(g));
        }
        long usage = number(dir.resolve("memory.usage_in_bytes"));
        long inactive = field(dir.resolve("memory.stat"), "total_inactive_file");
        long limit = number(dir.resolve("memory.limit_in_bytes"));
        return new Reading(Math.max(0, usage - inactive), number(dir.resolve("memory.max_usage_in_bytes")),
                limit >= (1L << 62) ? -1 : limit, oomKills(g));
    }

    static long oomKills(ContainerCgroup g) {
        Path dir = g.dir("memory");
        if (dir == null) return 0;
        return g.isUnified("memory") ? field(dir.resolve("memory.events"), "oom_kill") : field(dir.resolve("memory.oom_control"), "oom_kill");
    }

    /** A file holding one number, or "max" (returned as -1). */
    static long number(Path file) {
        if (!Files.exists(file)) return -1;
        String s = CgroupFiles.read(file);
        return s.equals("max") ? -1 : Long.parseLong(s.split("\\s+")[0]);
    }

    /** A "key value" line of a flat keyed file (memory.stat, memory.events, cpu.stat, ...), 0 if absent. */
    static long field(Path file, String key) {
        if (!Files.exists(file)) return 0;
        for (String line : CgroupFiles.read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) return Long.parseLong(kv[1]);
        }
        return 0;
    }
}
