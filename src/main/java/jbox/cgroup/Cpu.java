package jbox.cgroup;

import java.nio.file.Path;

/**
 * CPU time: a quota per period (a hard cap, --cpus), a relative weight (priority, --cpu-shares),
 * allowed CPUs (cpuset), and the time used. v1: cpu.cfs_quota_us, cpu.cfs_period_us, cpu.shares,
 * cpuacct.usage. v2: cpu.max ("quota period"), cpu.weight (1..10000), cpu.stat usage_usec.
 */
final class Cpu {
    private Cpu() {}

    static void apply(ContainerCgroup g, Resources r) {
        if (r.cpuQuota() != null) {
            Path dir = g.require("cpu", "--cpus");
            if (g.isUnified("cpu")) {
                CgroupFiles.write(dir.resolve("cpu.max"), (r.cpuQuota() <= 0 ? "max" : r.cpuQuota()) + " " + Resources.CPU_PERIOD);
            } else {
                CgroupFiles.write(dir.resolve("cpu.cfs_period_us"), Long.toString(Resources.CPU_PERIOD));
                CgroupFiles.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(r.cpuQuota() <= 0 ? -1 : r.cpuQuota()));
            }
        }
        if (r.cpuShares() != null) {
            Path dir = g.require("cpu", "--cpu-shares");
            if (g.isUnified("cpu")) {
                CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(weightFromShares(r.cpuShares())));
            } else {
                CgroupFiles.write(dir.resolve("cpu.shares"), Long.toString(r.cpuShares()));
            }
        }
        if (r.cpusetCpus() != null) {
            Path dir = g.require("cpuset", "--cpuset-cpus");
            CgroupFiles.write(dir.resolve("cpuset.cpus"), r.cpusetCpus());
        }
    }

    /** The conversion runc and the kernel documentation use: shares 2..262144 onto weight 1..10000. */
    static long weightFromShares(long shares) {
        return 1 + ((Math.max(2, Math.min(262144, shares)) - 2) * 9999) / 262142;
    }

    static long usageNanos(ContainerCgroup g) {
        Path acct = g.dir("cpuacct");
        if (acct != null && !g.isUnified("cpuacct")) return Memory.number(acct.resolve("cpuacct.usage"));
        Path dir = g.core() != null ? g.core() : g.dir("cpu");
        return dir == null ? 0 : Memory.field(dir.resolve("cpu.stat"), "usage_usec") * 1000;
    }
}
