package jbox.api;

import jbox.cgroup.Units;

/** The words for a container the OOM killer ended, shared by run and ps. */
public final class OomMessage {
    private OomMessage() {}

    /** exitCode: how the container's first process ended; 137 when the OOM killer ended it, another when it ended a child. */
    public static String of(String name, Long limit, int exitCode) {
        String limitText = limit != null ? " of " + Units.binary(limit) : "";
        if (exitCode != 137) {
            return "in container " + name + " the kernel's OOM killer ended a process: the container reached its memory limit" + limitText
                    + ". Its main program went on and exited with code " + exitCode + ". Give it more with --memory, or make it use less.";
        }
        return "container " + name + " was killed for memory: it reached its memory limit" + limitText
                + " and the kernel's OOM killer ended it (exit 137). Give it more with --memory, or make it use less.";
    }

    public static String shortForm(Long limit) {
        return "OOM-killed" + (limit != null ? " at memory limit " + Units.binary(limit) : "");
    }
}
