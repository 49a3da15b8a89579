package jbox.cli;

import jbox.cgroup.Resources;
import jbox.cgroup.ResourceFlags;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Docker's resource flags, shared by run, create and update, turned into cgroup {@link Resources}. */
public final class ResourceOptions {
    @Option(names = {"-m", "--memory"}, description = "Memory limit (e.g. 32m, 1g)") public String memory;
    @Option(names = "--memory-swap", description = "Memory plus swap limit; -1 for unlimited swap") public String memorySwap;
    @Option(names = "--cpus", description = "Number of CPUs (e.g. 0.5: half of one CPU's time)") public String cpus;
    @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight, default 1024)") public Long cpuShares;
    @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)") public String cpusetCpus;
    @Option(names = "--pids-limit", description = "Tune container pids limit (-1 for unlimited)") public Long pidsLimit;
    @Option(names = "--blkio-weight", description = "Block IO (relative weight), between 10 and 1000") public Integer blkioWeight;
    @Option(names = "--device-read-bps", description = "Limit read rate (bytes per second) from a device (e.g. /dev/sda:1mb)") public List<String> readBps = new ArrayList<>();
    @Option(names = "--device-write-bps", description = "Limit write rate (bytes per second) to a device") public List<String> writeBps = new ArrayList<>();
    @Option(names = "--memory-reservation", description = "Memory soft limit (e.g. 16m)") public String memoryReservation;
    @Option(names = "--memory-swappiness", description = "Tune container memory swappiness (0 to 100; cgroup v1)") public Long memorySwappiness;
    @Option(names = "--oom-kill-disable", description = "Disable OOM Killer (cgroup v1)") public boolean oomKillDisable;
    @Option(names = "--cpu-period", description = "Limit CPU CFS (Completely Fair Scheduler) period") public Long cpuPeriod;
    @Option(names = "--cpu-quota", description = "Limit CPU CFS (Completely Fair Scheduler) quota") public Long cpuQuota;
    @Option(names = "--cpuset-mems", description = "MEMs in which to allow execution (0-3, 0,1)") public String cpusetMems;
    @Option(names = "--cpu-rt-runtime", description = "Limit CPU real-time runtime in microseconds (cgroup v1)") public Long cpuRtRuntime;
    @Option(names = "--cpu-rt-period", description = "Limit CPU real-time period in microseconds (cgroup v1)") public Long cpuRtPeriod;

    public Resources resources() {
        Long mem = memory == null ? null : ResourceFlags.bytes(memory, "--memory");
        Long swap = memorySwap == null ? null : memorySwap.trim().equals("-1") ? -1L : ResourceFlags.bytes(memorySwap, "--memory-swap");
        if (cpus != null && (cpuQuota != null || cpuPeriod != null)) {
            throw new jbox.sys.Failure("Conflicting options: --cpus and --cpu-period/--cpu-quota cannot both be set", "--cpus is a quota per the default period", "give either --cpus or --cpu-quota with --cpu-period");
        }
        Long quota = cpus == null ? cpuQuota : Long.valueOf(ResourceFlags.cpuQuota(cpus)); // the values are checked by the engine, as the daemon checks the API's
        Long reservation = memoryReservation == null ? null : ResourceFlags.bytes(memoryReservation, "--memory-reservation");
        return new Resources(mem, swap, quota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, ResourceFlags.rates(readBps, "--device-read-bps"),
                ResourceFlags.rates(writeBps, "--device-write-bps"))
                .withMemoryTuning(reservation, memorySwappiness == null || memorySwappiness == -1 ? null : memorySwappiness, oomKillDisable ? Boolean.TRUE : null, null)
                .withCpuTuning(cpusetMems, cpuPeriod, cpuRtRuntime, cpuRtPeriod);
    }
}
