package jbox.api;

import jbox.cgroup.Units;

/** The words for a container the OOM killer ended, shared by run and ps. */
public final class OomMessage {
    private OomMessage() {}

    public static String of(String name, Long limit) {
        return "container " + name + " was killed for memory: it reached its memory limit"
                + (limit != null ? " of " + Units.binary(limit) : "") + " and the kernel's OOM killer ended it (exit 137)."
                + " Give it more with --memory, or make it use less.";
    }

    public static String shortForm(Long limit) {
        return "OOM-killed" + (limit != null ? " at memory limit " + Units.binary(limit) : "");
    }
}
