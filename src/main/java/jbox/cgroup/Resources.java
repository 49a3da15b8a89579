package jbox.cgroup;

import java.util.List;

/**
 * Limits and weights for a container's cgroup, as Docker's flags express them. A null field is
 * not set (the kernel's default, usually unlimited).
 *
 * @param memory      bytes (--memory)
 * @param memorySwap  memory plus swap in bytes (--memory-swap), -1 for unlimited swap
 * @param cpuQuota    microseconds per period (--cpus 0.5 gives 50000 of {@link #CPU_PERIOD}; --cpu-quota)
 * @param cpuShares   relative CPU weight, 2..262144, default 1024 (--cpu-shares)
 * @param cpusetCpus  CPUs allowed, like "0" or "0-1" (--cpuset-cpus)
 * @param pidsLimit   most processes at once (--pids-limit), -1 for unlimited
 * @param blkioWeight relative IO weight 10..1000 (--blkio-weight)
 * @param memoryReservation bytes the kernel tries to leave the container when memory runs short (--memory-reservation)
 * @param memorySwappiness  0..100, how readily the container's pages go to swap (--memory-swappiness); cgroup v1 only
 * @param oomKillDisable    true: at its limit the container waits instead of losing a process (--oom-kill-disable); v1 only
 * @param kernelMemoryTcp   bytes of kernel TCP buffers (OCI kernelTCP; Docker ignores its KernelMemoryTCP); v1 only
 * @param cpusetMems        memory (NUMA) nodes allowed, like "0" (--cpuset-mems)
 * @param cpuPeriod         the quota's period in microseconds (--cpu-period); null: {@link #CPU_PERIOD}, as --cpus uses
 * @param cpuRealtimeRuntime microseconds per real-time period that the container's real-time tasks may run (--cpu-rt-runtime); v1 only
 * @param cpuRealtimePeriod  that period in microseconds (--cpu-rt-period); v1 only
 */
public record Resources(Long memory, Long memorySwap, Long cpuQuota, Long cpuShares, String cpusetCpus, Long pidsLimit,
                        Integer blkioWeight, List<DeviceRate> deviceReadBps, List<DeviceRate> deviceWriteBps,
                        Long memoryReservation, Long memorySwappiness, Boolean oomKillDisable, Long kernelMemoryTcp,
                        String cpusetMems, Long cpuPeriod, Long cpuRealtimeRuntime, Long cpuRealtimePeriod) {
    public static final long CPU_PERIOD = 100_000;
    /** Docker's floor: below this a container cannot even start its first program. */
    public static final long MINIMUM_MEMORY = 6 * 1024 * 1024;
    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, List.of(), List.of());

    /** The limits most callers set, the finer ones unset. */
    public Resources(Long memory, Long memorySwap, Long cpuQuota, Long cpuShares, String cpusetCpus, Long pidsLimit,
                     Integer blkioWeight, List<DeviceRate> deviceReadBps, List<DeviceRate> deviceWriteBps) {
        this(memory, memorySwap, cpuQuota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, deviceReadBps, deviceWriteBps,
                null, null, null, null, null, null, null, null);
    }

    /** These limits with the finer memory settings replaced. */
    public Resources withMemoryTuning(Long reservation, Long swappiness, Boolean oomKillDisable, Long kernelTcp) {
        return new Resources(memory, memorySwap, cpuQuota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, deviceReadBps, deviceWriteBps,
                reservation, swappiness, oomKillDisable, kernelTcp, cpusetMems, cpuPeriod, cpuRealtimeRuntime, cpuRealtimePeriod);
    }

    /** These limits with the memory nodes, the quota's period and the real-time CPU budget replaced. */
    public Resources withCpuTuning(String mems, Long period, Long realtimeRuntime, Long realtimePeriod) {
        return new Resources(memory, memorySwap, cpuQuota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, deviceReadBps, deviceWriteBps,
                memoryReservation, memorySwappiness, oomKillDisable, kernelMemoryTcp, mems, period, realtimeRuntime, realtimePeriod);
    }

    /** The quota's period in microseconds. */
    public long period() { return cpuPeriod == null ? CPU_PERIOD : cpuPeriod; }

    /** A bytes-per-second limit on one block device (--device-read-bps /dev/sda:1mb). */
    public record DeviceRate(String path, int major, int minor, long bytesPerSecond) {
        public String majorMinor() { return major + ":" + minor; }

        /** A rate for the block device at path, whose major:minor numbers are read from the device file; IllegalArgumentException if it is none. */
        public static DeviceRate of(String path, long bytesPerSecond) {
            java.nio.file.Path dev = java.nio.file.Path.of(path);
            try {
                int mode = (Integer) java.nio.file.Files.getAttribute(dev, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if ((mode & 0170000) != 0060000) throw new java.io.IOException("not a block device");
                long rdev = ((Number) java.nio.file.Files.getAttribute(dev, "unix:rdev")).longValue();
                return new DeviceRate(path, jbox.sys.Linux.major(rdev), jbox.sys.Linux.minor(rdev), bytesPerSecond);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(path + " is not a block device");
            }
        }
    }

    public Resources {
        deviceReadBps = deviceReadBps == null ? List.of() : deviceReadBps;
        deviceWriteBps = deviceWriteBps == null ? List.of() : deviceWriteBps;
    }

    /** These resources with every field that other sets overwritten (jbox update). */
    public Resources merge(Resources o) {
        return new Resources(o.memory != null ? o.memory : memory, o.memorySwap != null ? o.memorySwap : memorySwap,
                o.cpuQuota != null ? o.cpuQuota : cpuQuota, o.cpuShares != null ? o.cpuShares : cpuShares,
                o.cpusetCpus != null ? o.cpusetCpus : cpusetCpus, o.pidsLimit != null ? o.pidsLimit : pidsLimit,
                o.blkioWeight != null ? o.blkioWeight : blkioWeight,
                o.deviceReadBps.isEmpty() ? deviceReadBps : o.deviceReadBps, o.deviceWriteBps.isEmpty() ? deviceWriteBps : o.deviceWriteBps,
                o.memoryReservation != null ? o.memoryReservation : memoryReservation, o.memorySwappiness != null ? o.memorySwappiness : memorySwappiness,
                o.oomKillDisable != null ? o.oomKillDisable : oomKillDisable, o.kernelMemoryTcp != null ? o.kernelMemoryTcp : kernelMemoryTcp,
                // a new quota without a period counts in the default period, as --cpus does
                o.cpusetMems != null ? o.cpusetMems : cpusetMems, o.cpuPeriod != null ? o.cpuPeriod : o.cpuQuota != null ? null : cpuPeriod,
                o.cpuRealtimeRuntime != null ? o.cpuRealtimeRuntime : cpuRealtimeRuntime,
                o.cpuRealtimePeriod != null ? o.cpuRealtimePeriod : cpuRealtimePeriod);
    }

    public boolean isEmpty() { return equals(NONE); }

    /** Larger than any machine's memory, and small enough that twice it (Docker's default swap) still fits in a long. */
    static final long MAXIMUM_BYTES = 1L << 60;

    /**
     * Docker's rules for these values, each broken one refused in Docker's words with the flag and the
     * API field named, the same for jbox's CLI and the daemon: nothing reaches a cgroup file that the
     * kernel would refuse at start, or that would overflow on the way.
     */
    public Resources check() {
        if (memory != null && memory < MINIMUM_MEMORY) throw new IllegalArgumentException("Minimum memory limit allowed is 6MB (--memory, Memory: " + memory + " bytes)");
        if (memory != null && memory > MAXIMUM_BYTES) throw new IllegalArgumentException("--memory (Memory) of " + memory + " bytes is larger than any machine's memory");
        if (memorySwap != null) {
            if (memorySwap < -1) throw new IllegalArgumentException("invalid --memory-swap (MemorySwap) " + memorySwap + ": -1 means unlimited swap, otherwise give memory plus swap");
            if (memorySwap > MAXIMUM_BYTES) throw new IllegalArgumentException("--memory-swap (MemorySwap) of " + memorySwap + " bytes is larger than any machine's memory");
            if (memory == null && memorySwap > 0) throw new IllegalArgumentException("You should always set the Memory limit when using Memoryswap limit");
            if (memory != null && memorySwap > 0 && memorySwap < memory) throw new IllegalArgumentException("Minimum memoryswap limit should be larger than memory limit");
        }
        int online = Runtime.getRuntime().availableProcessors();
        if (cpuPeriod == null && cpuQuota != null && (cpuQuota < CPU_PERIOD / 100 || cpuQuota > online * CPU_PERIOD)) {
            throw new IllegalArgumentException("Range of CPUs is from 0.01 to " + online + ".00, as there are only " + online + " CPUs available (--cpus, NanoCpus)");
        }
        if (cpuPeriod != null && (cpuPeriod < 1000 || cpuPeriod > 1_000_000)) {
            throw new IllegalArgumentException("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000) (--cpu-period, CpuPeriod: " + cpuPeriod + ")");
        }
        if (cpuPeriod != null && cpuQuota != null && cpuQuota > 0 && cpuQuota < 1000) {
            throw new IllegalArgumentException("CPU cfs quota can not be less than 1ms (i.e. 1000) (--cpu-quota, CpuQuota: " + cpuQuota + ")");
        }
        if (cpuShares != null && (cpuShares < 2 || cpuShares > 262144)) {
            throw new IllegalArgumentException("invalid --cpu-shares (CpuShares) " + cpuShares + ": CPU shares are between 2 and 262144 (default 1024)");
        }
        if (cpusetCpus != null) checkSet(cpusetCpus, online - 1, "CPUs", "--cpuset-cpus", "CpusetCpus");
        if (cpusetMems != null) checkSet(cpusetMems, lastMemoryNode(), "memory nodes", "--cpuset-mems", "CpusetMems");
        if (memoryReservation != null) {
            if (memoryReservation < MINIMUM_MEMORY) throw new IllegalArgumentException("Minimum memory reservation allowed is 6MB (--memory-reservation, MemoryReservation: " + memoryReservation + " bytes)");
            if (memory != null && memory < memoryReservation) throw new IllegalArgumentException("Minimum memory limit can not be less than memory reservation limit, see usage");
        }
        if (memorySwappiness != null && (memorySwappiness < 0 || memorySwappiness > 100)) {
            throw new IllegalArgumentException("Invalid value: " + memorySwappiness + ", valid memory swappiness range is 0-100 (--memory-swappiness, MemorySwappiness; -1 leaves it unset)");
        }
        if (kernelMemoryTcp != null && kernelMemoryTcp < 0) throw new IllegalArgumentException("kernel TCP memory limit can not be negative (" + kernelMemoryTcp + ")");
        if (cpuRealtimeRuntime != null && cpuRealtimePeriod != null && cpuRealtimeRuntime > cpuRealtimePeriod) {
            throw new IllegalArgumentException("cpu-rt-runtime cannot be higher than cpu-rt-period (--cpu-rt-runtime " + cpuRealtimeRuntime + ", --cpu-rt-period " + cpuRealtimePeriod + ")");
        }
        if (cpuRealtimePeriod != null && (cpuRealtimePeriod < 1 || cpuRealtimePeriod > 1_000_000)) {
            throw new IllegalArgumentException("--cpu-rt-period (CpuRealtimePeriod) " + cpuRealtimePeriod + " must be between 1 and 1000000 microseconds");
        }
        if (cpuRealtimeRuntime != null && cpuRealtimeRuntime < -1) {
            throw new IllegalArgumentException("--cpu-rt-runtime (CpuRealtimeRuntime) " + cpuRealtimeRuntime + " must be -1 (no limit) or a number of microseconds");
        }
        if (blkioWeight != null && (blkioWeight < 10 || blkioWeight > 1000)) {
            throw new IllegalArgumentException("Range of blkio weight is from 10 to 1000 (--blkio-weight, BlkioWeight: " + blkioWeight + ")");
        }
        return this;
    }

    /** A list like 0-1 or 0,2 whose numbers all lie in 0..last, or Docker's words for what is wrong. */
    private static void checkSet(String set, int last, String what, String flag, String field) {
        for (String part : set.split(",")) {
            String[] range = part.trim().split("-");
            try {
                int high = Integer.parseInt(range[range.length - 1].trim());
                if (range.length > 2 || Integer.parseInt(range[0].trim()) > high || high > last) {
                    throw new IllegalArgumentException("Requested " + what + " are not available - requested " + set + ", available: 0-" + last + " (" + flag + ", " + field + ")");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid " + flag + " (" + field + ") \"" + set + "\": write numbers like 0-1 or 0,1");
            }
        }
    }

    /** The highest online memory node, from sysfs (0 where it says nothing: every machine has node 0). */
    private static int lastMemoryNode() {
        try {
            String online = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/node/online")).trim();
            String[] parts = online.split("[,-]");
            return Integer.parseInt(parts[parts.length - 1]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}
