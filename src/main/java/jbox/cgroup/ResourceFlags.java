package jbox.cgroup;

import jbox.sys.Failure;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's resource flags read into {@link Resources}: sizes like 32m, a decimal number of CPUs, device
 * rates like /dev/sda:1mb. The CLI's --memory, --cpus ... and the shell's limit step read values the
 * same way; the values' ranges are checked by {@link Resources#check}.
 */
public final class ResourceFlags {
    private ResourceFlags() {}

    /** One setting, by the shell's names (memory, cpus, cpu-shares, pids, cpuset, read-bps, write-bps, blkio-weight), as a set of limits with only it set. */
    public static Resources of(String setting, String value) {
        Resources none = Resources.NONE;
        try {
            return switch (setting) {
                case "memory" -> new Resources(memory(value), null, null, null, null, null, null, List.of(), List.of());
                case "cpus" -> new Resources(null, null, cpuQuota(value), null, null, null, null, List.of(), List.of());
                case "cpu-shares" -> new Resources(null, null, null, Long.parseLong(value), null, null, null, List.of(), List.of());
                case "pids" -> new Resources(null, null, null, null, null, Long.parseLong(value), null, List.of(), List.of());
                case "cpuset" -> new Resources(null, null, null, null, value, null, null, List.of(), List.of());
                case "read-bps" -> new Resources(null, null, null, null, null, null, null, rates(List.of(value), setting), List.of());
                case "write-bps" -> new Resources(null, null, null, null, null, null, null, List.of(), rates(List.of(value), setting));
                case "blkio-weight" -> new Resources(null, null, null, null, null, null, Integer.parseInt(value), List.of(), List.of());
                default -> throw new Failure("unknown limit \"" + setting + "\"",
                        "the settings are memory, cpus, cpu-shares, pids, cpuset, read-bps, write-bps, blkio-weight", "e.g. limit memory 32m");
            };
        } catch (NumberFormatException e) {
            throw bad(setting, "\"" + value + "\" is not a whole number", "e.g. limit " + setting + " 256");
        }
    }

    /** The shell's limit memory, refused in its own words (the engine's would name docker's --memory). */
    private static long memory(String value) {
        long bytes = bytes(value, "memory");
        if (bytes < Resources.MINIMUM_MEMORY) {
            throw jbox.text.Say.failure(value.matches("\\d+") ? "err.memory.unit" : "err.memory.low", value);
        }
        return bytes;
    }

    /** A size like 32m, 512k or 1g, in bytes. */
    public static long bytes(String text, String flag) {
        try {
            return Units.parseBytes(text);
        } catch (IllegalArgumentException e) {
            throw bad(flag, e.getMessage(), "write sizes like 32m, 512k or 1g");
        }
    }

    /** --cpus: a decimal number of CPUs as microseconds of CPU time per {@link Resources#CPU_PERIOD}. */
    public static long cpuQuota(String cpus) {
        double n;
        try {
            n = Double.parseDouble(cpus);
        } catch (NumberFormatException e) {
            throw bad("--cpus", "invalid number of CPUs: \"" + cpus + "\"", "use a decimal number like 0.5 or 2");
        }
        if (n <= 0 || n > 1_000_000) throw bad("--cpus", "invalid number of CPUs: \"" + cpus + "\"", "use a number like 0.5 or 2");
        return Math.round(n * Resources.CPU_PERIOD);
    }

    /** DEVICE:RATE, e.g. /dev/sda:1mb, for each spec. */
    public static List<Resources.DeviceRate> rates(List<String> specs, String flag) {
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

    private static Failure bad(String flag, String what, String fix) {
        return new Failure(what, "the value of " + flag + " is not valid", fix);
    }
}
