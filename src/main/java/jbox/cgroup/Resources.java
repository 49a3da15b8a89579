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
}
