package jbox.runtime;

/**
 * A container's restart policy and what happened to it: --restart no|on-failure[:N]|always|unless-stopped,
 * how many times the daemon restarted it, whether a user stopped it (then it stays stopped), and whether
 * the daemon will start it again once its back-off delay is over (docker's "Restarting" state).
 */
public record Restart(String policy, int maxRetries, int count, boolean stoppedByUser, boolean pending) {
    public static final Restart NO = new Restart("no", 0, 0, false, false);

    public static Restart orNo(Restart r) { return r == null ? NO : r; }

    /** Reads --restart's value; IllegalArgumentException says what is wrong. */
    public static Restart parse(String flag) {
        if (flag == null || flag.isEmpty() || flag.equals("no")) return NO;
        String name = flag;
        int max = 0;
        int colon = flag.indexOf(':');
        if (colon >= 0) {
            name = flag.substring(0, colon);
            try {
                max = Integer.parseInt(flag.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("maximum retry count must be an integer: " + flag);
            }
            if (!name.equals("on-failure")) throw new IllegalArgumentException("maximum retry count cannot be used with restart policy '" + name + "'");
            if (max < 0) throw new IllegalArgumentException("maximum retry count cannot be negative");
        }
        if (!name.equals("on-failure") && !name.equals("always") && !name.equals("unless-stopped")) {
            throw new IllegalArgumentException("invalid restart policy '" + name + "': use no, on-failure[:N], always or unless-stopped");
        }
        return new Restart(name, max, 0, false, false);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isNo() { return policy.equals("no"); }

    /** After an exit with this code (not a user's stop): restart it? */
    public boolean restartsAfter(int exitCode) {
        if (stoppedByUser) return false;
        return switch (policy) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (maxRetries == 0 || count < maxRetries);
            default -> false;
        };
    }

    /**
     * When the daemon starts: bring it back? (unless-stopped stays down once a user stopped it; a
     * pending restart, whose back-off was running when the last daemon ended, is carried out.)
     */
    public boolean startsWithDaemon() {
        return policy.equals("always") || policy.equals("unless-stopped") && !stoppedByUser || pending;
    }

    /** docker's back-off: 100 ms, doubled after each restart, at most a minute. */
    public long delayMillis() { return Math.min(60_000L, 100L << Math.min(count, 10)); }

    /** The policy alone, as a container's configuration keeps it. */
    public Restart policyOnly() { return new Restart(policy, maxRetries, 0, false, false); }

    public Restart counted() { return new Restart(policy, maxRetries, count + 1, stoppedByUser, false); }

    public Restart stopped(boolean byUser) { return new Restart(policy, maxRetries, count, byUser, false); }

    public Restart waiting() { return new Restart(policy, maxRetries, count, stoppedByUser, true); }

    public String flag() { return policy.equals("on-failure") && maxRetries > 0 ? policy + ":" + maxRetries : policy; }
}
