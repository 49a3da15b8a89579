package jbox.runtime;

import java.util.Map;

/**
 * Where a container's output goes (docker's --log-driver and --log-opt, HostConfig.LogConfig):
 * the json-file driver, bounded to maxFiles files of maxBytes each, or none. Other drivers and
 * options are refused by name.
 */
public record LogConfig(String driver, long maxBytes, int maxFiles) {
    public static final LogConfig DEFAULT = new LogConfig("json-file", 10L << 20, 2);

    public LogConfig {
        if (!driver.equals("json-file") && !driver.equals("none")) {
            throw new IllegalArgumentException("logging driver \"" + driver + "\" is not supported by jbox: use json-file (the default) or none");
        }
        if (maxBytes < 1024) throw new IllegalArgumentException("log max-size must be at least 1k, not " + maxBytes + " bytes");
        if (maxFiles < 1) throw new IllegalArgumentException("log max-file must be at least 1, not " + maxFiles);
    }

    /** A driver name (empty: json-file) and its options, as docker takes them; sizes like 10m. */
    public static LogConfig of(String driver, Map<String, String> options) {
        String d = driver == null || driver.isEmpty() ? "json-file" : driver;
        long size = DEFAULT.maxBytes;
        int files = DEFAULT.maxFiles;
        for (var e : options.entrySet()) {
            if (d.equals("none")) throw new IllegalArgumentException("log option \"" + e.getKey() + "\" does not apply to the none driver");
            switch (e.getKey()) {
                case "max-size" -> size = jbox.cgroup.Units.parseBytes(e.getValue());
                case "max-file" -> {
                    try {
                        files = Integer.parseInt(e.getValue());
                    } catch (NumberFormatException x) {
                        throw new IllegalArgumentException("log max-file must be a number, not \"" + e.getValue() + "\"");
                    }
                }
                default -> throw new IllegalArgumentException("log option \"" + e.getKey() + "\" is not supported by jbox (max-size and max-file are)");
            }
        }
        return new LogConfig(d, size, files);
    }

    public boolean keepsLogs() { return driver.equals("json-file"); }

    public static LogConfig orDefault(LogConfig c) { return c == null ? DEFAULT : c; }
}
