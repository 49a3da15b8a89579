package jbox.cgroup;

import java.util.List;

/**
 * Limits and weights for a container's cgroup, as Docker's flags express them. A null field is
 * not set (the kernel's default, usually unlimited).
 *
 * @param memory      bytes (--memory)
 * @param memorySwap  memory plus swap in bytes (--memory-swap), -1 for unlimited swap
 * @param cpuQuota    microseconds per {@link #CPU_PERIOD} (--cpus 0.5 gives 50000)
 * @param cpuShares   relative CPU weight, 2..262144, default 1024 (--cpu-shares)
 * @param cpusetCpus  CPUs allowed, like "0" or "0-1" (--cpuset-cpus)
 * @param pidsLimit   most processes at once (--pids-limit), -1 for unlimited
 * @param blkioWeight relative IO weight 10..1000 (--blkio-weight)
 */
public record Resources(Long memory, Long memorySwap, Long cpuQuota, Long cpuShares, String cpusetCpus, Long pidsLimit,
                        Integer blkioWeight, List<DeviceRate> deviceReadBps, List<DeviceRate> deviceWriteBps) {
    public static final long CPU_PERIOD = 100_000;
    /** Docker's floor: below this a container cannot even start its first program. */
    public static final long MINIMUM_MEMORY = 6 * 1024 * 1024;
    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, List.of(), List.of());

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
                o.deviceReadBps.isEmpty() ? deviceReadBps : o.deviceReadBps, o.deviceWriteBps.isEmpty() ? deviceWriteBps : o.deviceWriteBps);
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
        if (cpuQuota != null && (cpuQuota < CPU_PERIOD / 100 || cpuQuota > online * CPU_PERIOD)) {
            throw new IllegalArgumentException("Range of CPUs is from 0.01 to " + online + ".00, as there are only " + online + " CPUs available (--cpus, NanoCpus)");
        }
        if (cpuShares != null && (cpuShares < 2 || cpuShares > 262144)) {
            throw new IllegalArgumentException("invalid --cpu-shares (CpuShares) " + cpuShares + ": CPU shares are between 2 and 262144 (default 1024)");
        }
        if (cpusetCpus != null) {
            String available = "0-" + (online - 1);
            for (String part : cpusetCpus.split(",")) {
                String[] range = part.trim().split("-");
                try {
                    int last = Integer.parseInt(range[range.length - 1].trim());
                    if (range.length > 2 || Integer.parseInt(range[0].trim()) > last || last >= online) {
                        throw new IllegalArgumentException("Requested CPUs are not available - requested " + cpusetCpus + ", available: " + available + " (--cpuset-cpus, CpusetCpus)");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid --cpuset-cpus (CpusetCpus) \"" + cpusetCpus + "\": write CPU numbers like 0-1 or 0,1");
                }
            }
        }
        if (blkioWeight != null && (blkioWeight < 10 || blkioWeight > 1000)) {
            throw new IllegalArgumentException("Range of blkio weight is from 10 to 1000 (--blkio-weight, BlkioWeight: " + blkioWeight + ")");
        }
        return this;
    }
}
