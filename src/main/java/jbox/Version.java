package jbox;

/** jbox's own version, as the CLI, the daemon's answers and its user agent give it. */
public final class Version {
    public static final String NUMBER = "0.1.0";

    private Version() {}
}
