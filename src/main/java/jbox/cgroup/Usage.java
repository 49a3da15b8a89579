package jbox.cgroup;

/**
 * What a cgroup has used, read from the kernel's accounting files.
 *
 * @param cpuNanos       CPU time of all its processes so far
 * @param memoryUsage    memory in use now, without reclaimable file cache (as docker stats shows it)
 * @param memoryMaxUsage the most it ever used (v1 max_usage_in_bytes, v2 memory.peak), -1 if unknown
 * @param memoryLimit    its limit, or -1 for none
 * @param pids           processes now
 * @param blockRead      bytes read from block devices
 * @param blockWrite     bytes written to block devices
 * @param oomKills       times the OOM killer killed a process inside
 */
public record Usage(long cpuNanos, long memoryUsage, long memoryMaxUsage, long memoryLimit, long pids, long pidsLimit,
                    long blockRead, long blockWrite, long oomKills) {}
