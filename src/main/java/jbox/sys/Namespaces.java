package jbox.sys;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static jbox.sys.Linux.*;

/**
 * The namespace kinds, each with its clone flag, its /proc/PID/ns link and its OCI name, and the
 * one way jbox enters them: a container start, an exec and jbox-runc all go through
 * {@link #enter}, in {@link #JOIN_ORDER}.
 */
public final class Namespaces {
    private Namespaces() {}

    /** In the order a learner meets them. */
    public enum Kind {
        UTS("uts", CLONE_NEWUTS, "uts"),
        IPC("ipc", CLONE_NEWIPC, "ipc"),
        NET("net", CLONE_NEWNET, "network"),
        MNT("mnt", CLONE_NEWNS, "mount"),
        PID("pid", CLONE_NEWPID, "pid"),
        CGROUP("cgroup", CLONE_NEWCGROUP, "cgroup"),
        USER("user", CLONE_NEWUSER, "user"),
        TIME("time", CLONE_NEWTIME, "time");

        /** The name of its /proc/PID/ns link (and the shell's word for it). */
        public final String link;
        public final int flag;
        /** Its name in an OCI config.json. */
        public final String oci;

        Kind(String link, int flag, String oci) {
            this.link = link;
            this.flag = flag;
            this.oci = oci;
        }

        public static Kind ofLink(String link) {
            return Arrays.stream(values()).filter(k -> k.link.equals(link)).findFirst().orElse(null);
        }

        public static Kind ofOci(String name) {
            return Arrays.stream(values()).filter(k -> k.oci.equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * runc's nsenter order: pid last but one, because it only decides where children go, and mnt
     * last, because after it the host's paths (the other namespaces' /proc links) no longer resolve.
     */
    public static final List<Kind> JOIN_ORDER = List.of(Kind.IPC, Kind.UTS, Kind.NET, Kind.CGROUP, Kind.PID, Kind.MNT);

    /** What a start does with one kind: a new namespace, or join the one at path. A kind not planned stays the host's. */
    public record Plan(Map<Kind, String> joins, int unshare) {
        public static Plan of(Map<Kind, String> kinds) {
            int flags = 0;
            Map<Kind, String> joins = new EnumMap<>(Kind.class);
            for (var e : kinds.entrySet()) {
                if (e.getValue() == null) flags |= e.getKey().flag; else joins.put(e.getKey(), e.getValue());
            }
            return new Plan(joins, flags);
        }

        public boolean isNew(Kind k) { return (unshare & k.flag) != 0; }

        public boolean isHost(Kind k) { return !isNew(k) && !joins.containsKey(k); }

        /** This plan without a kind it would make new (the caller has joined one made for it elsewhere). */
        public Plan without(Kind k) { return new Plan(joins, unshare & ~k.flag); }
    }

    /**
     * The calling thread (which has its own fs_struct already) joins the plan's namespaces by path
     * in JOIN_ORDER, then unshares the new ones in one call. The pid namespace is only opened here,
     * while its path still resolves: it decides where children go, and a thread whose children go
     * elsewhere can start no threads, so {@link #enterPid} joins or makes it just before the spawn.
     *
     * @return the descriptor of the pid namespace to join, or -1; enterPid closes it
     */
    public static int enter(Plan plan) {
        int pidFd = -1;
        try {
            for (Kind k : JOIN_ORDER) {
                String path = plan.joins().get(k);
                if (path == null) continue;
                if (k == Kind.PID) pidFd = Sys.open(path, O_RDONLY | O_CLOEXEC, 0);
                else join(path, k);
            }
            int flags = plan.unshare() & ~CLONE_NEWPID;
            if (flags != 0) Sys.unshare(flags);
            return pidFd;
        } catch (RuntimeException e) {
            if (pidFd >= 0) Sys.close(pidFd);
            throw e;
        }
    }

    /** The pid part of the plan: joins pidFd (and closes it), or makes a new namespace, or neither (the host's). */
    public static void enterPid(Plan plan, int pidFd) {
        if (pidFd >= 0) {
            try {
                Sys.setns(pidFd, CLONE_NEWPID, "the pid namespace " + plan.joins().get(Kind.PID));
            } finally {
                Sys.close(pidFd);
            }
        } else if (plan.isNew(Kind.PID)) {
            Sys.unshare(CLONE_NEWPID);
        }
    }

    /** setns into the namespace at path (a /proc/PID/ns link, or a bind mount of one). */
    public static void join(String path, Kind kind) {
        int fd = Sys.open(path, O_RDONLY | O_CLOEXEC, 0);
        try {
            Sys.setns(fd, kind.flag, "the " + kind.link + " namespace " + path);
        } finally {
            Sys.close(fd);
        }
    }

    public static String flagNames(int flags) {
        StringJoiner j = new StringJoiner("|");
        if ((flags & CLONE_FS) != 0) j.add("CLONE_FS");
        for (Kind k : Kind.values()) {
            if ((flags & k.flag) != 0) j.add("CLONE_NEW" + (k == Kind.MNT ? "NS" : k.link.toUpperCase()));
        }
        return j.length() == 0 ? "0" : j.toString();
    }
}
