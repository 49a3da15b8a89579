package jbox.runtime;

import java.util.List;

/**
 * A health check (docker's --health-* flags, or Config.Healthcheck): the test ("CMD", args... or
 * "CMD-SHELL", command), how often it runs, how long it may take, how many failures in a row make the
 * container unhealthy, and a start period whose failures do not count. Durations in nanoseconds, as docker.
 */
public record Health(List<String> test, long intervalNs, long timeoutNs, int retries, long startPeriodNs) {
    public static final long SECOND = 1_000_000_000L;
    /** No check, also none the image has (--no-healthcheck, HEALTHCHECK NONE). */
    public static final Health NONE = new Health(List.of("NONE"), 0, 0, 0, 0);

    /** Docker's defaults for what is not given (0): every 30 s, 30 s to answer, 3 retries. */
    public Health withDefaults() {
        return new Health(test, intervalNs > 0 ? intervalNs : 30 * SECOND, timeoutNs > 0 ? timeoutNs : 30 * SECOND,
                retries > 0 ? retries : 3, Math.max(0, startPeriodNs));
    }

    public boolean isNone() { return test == null || test.isEmpty() || test.get(0).equals("NONE"); }

    /** The process to run in the container. */
    public List<String> command() {
        if (test.get(0).equals("CMD-SHELL")) return List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
        if (test.get(0).equals("CMD")) return test.subList(1, test.size());
        return List.of("/bin/sh", "-c", String.join(" ", test));
    }

    /** docker's duration flags: 30s, 1m30s, 500ms, 2h. */
    public static long parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ns|us|ms|s|m|h)").matcher(text);
        long total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total += switch (m.group(2)) {
                case "ns" -> n;
                case "us" -> n * 1_000;
                case "ms" -> n * 1_000_000;
                case "s" -> n * SECOND;
                case "m" -> n * 60 * SECOND;
                default -> n * 3600 * SECOND;
            };
            end = m.end();
        }
        if (end != text.length() || text.isEmpty()) throw new IllegalArgumentException("invalid duration \"" + text + "\": write e.g. 30s, 500ms or 1m30s");
        return total;
    }

    /** What the checks found so far: docker inspect's State.Health. */
    public record State(String status, int failingStreak, List<Result> log) {}

    public record Result(String start, String end, int exitCode, String output) {}
}
