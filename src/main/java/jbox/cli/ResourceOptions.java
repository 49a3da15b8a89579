package jbox.cli;

import jbox.cgroup.Resources;
import jbox.cgroup.Units;
import jbox.engine.EngineException;
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

    public Resources resources() {
        Long mem = memory == null ? null : bytes(memory, "--memory");
        Long swap = memorySwap == null ? null : memorySwap.trim().equals("-1") ? -1L : bytes(memorySwap, "--memory-swap");
        Long quota = null; // the values are checked by the engine, as the daemon checks the API's
        if (cpus != null) {
            double n;
            try {
                n = Double.parseDouble(cpus);
            } catch (NumberFormatException e) {
                throw bad("--cpus", "invalid number of CPUs: \"" + cpus + "\"", "use a decimal number like 0.5 or 2");
            }
            if (n <= 0 || n > 1_000_000) throw bad("--cpus", "invalid number of CPUs: \"" + cpus + "\"", "use a number like 0.5 or 2");
            quota = Math.round(n * Resources.CPU_PERIOD);
        }
        return new Resources(mem, swap, quota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, rates(readBps, "--device-read-bps"),
                rates(writeBps, "--device-write-bps"));
    }

    private static long bytes(String text, String flag) {
        try {
            return Units.parseBytes(text);
        } catch (IllegalArgumentException e) {
            throw bad(flag, e.getMessage(), "write sizes like 32m, 512k or 1g");
        }
    }

    private static List<Resources.DeviceRate> rates(List<String> specs, String flag) {
        List<Resources.DeviceRate> out = new ArrayList<>();
        for (String spec : specs) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) throw bad(flag, "bad format for " + flag + ": \"" + spec + "\"", "write DEVICE:RATE, e.g. /dev/sda:1mb");
            long rate = bytes(spec.substring(colon + 1), flag);
            try {
                out.add(Resources.DeviceRate.of(spec.substring(0, colon), rate));
            } catch (IllegalArgumentException e) {
                throw bad(flag, e.getMessage(), "name a disk under /dev, e.g. the one / is on (see lsblk)");
            }
        }
        return out;
    }

    private static EngineException bad(String flag, String what, String fix) {
        return new EngineException(what, "the value of " + flag + " is not valid", fix);
    }
}
