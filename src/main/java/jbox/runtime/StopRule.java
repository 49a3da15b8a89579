package jbox.runtime;

/**
 * How `stop` ends a container: the signal it sends first and how long it waits before SIGKILL
 * (docker's --stop-signal and --stop-timeout, or the image's STOPSIGNAL).
 *
 * @param signal  a signal name or number (null: SIGTERM)
 * @param timeout seconds (null: 10, or what the stop asks for)
 */
public record StopRule(String signal, Integer timeout) {
    public static final StopRule DEFAULT = new StopRule(null, null);
    public static final int DEFAULT_TIMEOUT = 10;

    public static StopRule orDefault(StopRule r) { return r == null ? DEFAULT : r; }

    public int signalNumber() { return signal == null ? jbox.sys.Linux.SIGTERM : jbox.sys.Signals.parse(signal); }

    /** The wait a stop asked for, else this container's, else docker's 10 s. */
    public int timeout(Integer asked) { return asked != null ? asked : timeout != null ? timeout : DEFAULT_TIMEOUT; }
}
