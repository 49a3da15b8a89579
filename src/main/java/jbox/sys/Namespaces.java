package jbox.sys;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import static jbox.sys.Linux.*;

/** Names of namespace kinds, as flags and as the names of /proc/PID/ns links. */
public final class Namespaces {
    private Namespaces() {}

    /** Flag to /proc/PID/ns link name, in the order a learner meets them. */
    public static final Map<Integer, String> KINDS = new LinkedHashMap<>();
    static {
        KINDS.put(CLONE_NEWUTS, "uts");
        KINDS.put(CLONE_NEWIPC, "ipc");
        KINDS.put(CLONE_NEWNET, "net");
        KINDS.put(CLONE_NEWNS, "mnt");
        KINDS.put(CLONE_NEWPID, "pid");
        KINDS.put(CLONE_NEWCGROUP, "cgroup");
        KINDS.put(CLONE_NEWUSER, "user");
        KINDS.put(CLONE_NEWTIME, "time");
    }

    public static String flagNames(int flags) {
        StringJoiner j = new StringJoiner("|");
        if ((flags & CLONE_FS) != 0) j.add("CLONE_FS");
        KINDS.forEach((flag, name) -> {
            if ((flags & flag) != 0) j.add("CLONE_NEW" + (name.equals("mnt") ? "NS" : name.toUpperCase()));
        });
        return j.length() == 0 ? "0" : j.toString();
    }
}
