package jbox.sys;

import jnr.constants.platform.Signal;

/** Signal names and numbers, accepting the forms docker accepts: KILL, SIGKILL, 9. */
public final class Signals {
    private Signals() {}

    public static String name(int sig) {
        Signal s = Signal.valueOf(sig);
        return s == null || s == Signal.__UNKNOWN_CONSTANT__ ? "signal " + sig : s.name();
    }

    public static int parse(String text) {
        String t = text.trim().toUpperCase();
        if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
            int n = Integer.parseInt(t);
            if (n >= 1 && n <= 64) return n;
        } else {
            if (!t.startsWith("SIG")) t = "SIG" + t;
            for (Signal s : Signal.values()) {
                if (s.name().equals(t) && s.defined()) return s.intValue();
            }
        }
        throw new IllegalArgumentException("invalid signal: " + text + " (use a name like TERM or KILL, or a number from 1 to 64)");
    }
}
