package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time: a quota per period (a hard cap, --cpus), a relative weight (priority, --cpu-shares),
 * allowed CPUs and memory nodes (cpuset), a real-time budget, and the time used. v1: cpu.cfs_quota_us,
 * cpu.cfs_period_us, cpu.shares, cpu.rt_runtime_us, cpu.rt_period_us, cpuacct.usage. v2: cpu.max
 * ("quota period"), cpu.weight (1..10000), cpu.stat usage_usec; v2 has no real-time budget.
 */
final class Cpu {
    private Cpu() {}

    static void apply(ContainerCgroup g, Resources r) {
        if (r.cpuQuota() != null || r.cpuPeriod() != null) {
            Path dir = g.require("cpu", r.cpuPeriod() == null ? "--cpus" : "--cpu-period/--cpu-quota");
            if (g.isUnified("cpu")) {
                // cpu.max holds both: a period alone keeps the quota there
                String quota = r.cpuQuota() == null ? CgroupFiles.read(dir.resolve("cpu.max")).split("\\s+")[0] : r.cpuQuota() <= 0 ? "max" : Long.toString(r.cpuQuota());
                CgroupFiles.write(dir.resolve("cpu.max"), quota + " " + r.period());
            } else {
                CgroupFiles.write(dir.resolve("cpu.cfs_period_us"), Long.toString(r.period()));
                if (r.cpuQuota() != null) CgroupFiles.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(r.cpuQuota() <= 0 ? -1 : r.cpuQuota()));
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
        if (r.cpusetMems() != null) {
            Path dir = g.require("cpuset", "--cpuset-mems");
            CgroupFiles.write(dir.resolve("cpuset.mems"), r.cpusetMems());
        }
        if (r.cpuRealtimePeriod() != null || r.cpuRealtimeRuntime() != null) applyRealtime(g, r);
    }

    /**
     * A real-time budget: the kernel lets a group's real-time tasks run rt_runtime_us of every
     * rt_period_us, and the budgets of a group's children must fit in its own (a new group has none).
     * So each group above the container is first raised to what its children then need, as Docker's
     * daemon gives its parent group a budget with --cpu-rt-runtime.
     */
    private static void applyRealtime(ContainerCgroup g, Resources r) {
        Path dir = g.require("cpu", "--cpu-rt-runtime");
        if (g.isUnified("cpu") || !Files.exists(dir.resolve("cpu.rt_runtime_us"))) {
            throw new CgroupException("--cpu-rt-runtime and --cpu-rt-period need cgroup v1's cpu.rt_runtime_us, which this host's cpu controller "
                    + "does not have (cgroup v2, or a kernel without CONFIG_RT_GROUP_SCHED): drop them; real-time tasks then share the host's budget", null);
        }
        if (r.cpuRealtimePeriod() != null) CgroupFiles.write(dir.resolve("cpu.rt_period_us"), Long.toString(r.cpuRealtimePeriod()));
        if (r.cpuRealtimeRuntime() == null) return;
        long wanted = r.cpuRealtimeRuntime();
        try {
            if (wanted > 0) makeRoom(dir.getParent(), childrenBudget(dir.getParent(), dir) + wanted);
            CgroupFiles.write(dir.resolve("cpu.rt_runtime_us"), Long.toString(wanted));
        } catch (CgroupException e) {
            throw new CgroupException("the kernel refused a real-time runtime of " + wanted + " µs per period (--cpu-rt-runtime): it must be at most the period ("
                    + Memory.number(dir.resolve("cpu.rt_period_us")) + " µs here, --cpu-rt-period) and fit in what the groups above have left; the host gives "
                    + "real-time tasks " + Memory.number(Path.of("/proc/sys/kernel/sched_rt_runtime_us")) + " µs of every "
                    + Memory.number(Path.of("/proc/sys/kernel/sched_rt_period_us")) + " (" + e.getMessage() + ")", e);
        }
    }

    /** Raises group's budget to needed, raising the groups above first; the hierarchy's root is the host's and stays. */
    private static void makeRoom(Path group, long needed) {
        Path parent = group.getParent();
        if (!Files.exists(parent.resolve("cpu.rt_runtime_us"))) return; // group is the root
        if (Memory.number(group.resolve("cpu.rt_runtime_us")) >= needed) return;
        makeRoom(parent, childrenBudget(parent, group) + needed);
        CgroupFiles.write(group.resolve("cpu.rt_runtime_us"), Long.toString(needed));
    }

    /** The real-time runtime the children of parent hold, except one. */
    private static long childrenBudget(Path parent, Path except) {
        long sum = 0;
        try (var children = Files.list(parent)) {
            for (Path c : children.toList()) {
                if (!c.equals(except) && Files.isDirectory(c)) sum += Math.max(0, Memory.number(c.resolve("cpu.rt_runtime_us")));
            }
        } catch (java.io.IOException e) {
            throw new CgroupException("failed to list " + parent + ": " + e.getMessage(), e);
        }
        return sum;
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
