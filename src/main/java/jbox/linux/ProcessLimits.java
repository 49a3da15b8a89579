package jbox.linux;

import jbox.sys.Errnos;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Per-process limits set on the container's first process while it waits at its gate, from
 * outside (prlimit(2), /proc/PID/oom_score_adj): they survive its exec, and this JVM's own stay as
 * they are. Raising a hard limit above jbox's own, or lowering the OOM score, needs
 * CAP_SYS_RESOURCE, which root may lack (inside another container, say): the error says so.
 * Without it, prlimit(2) also refuses a target with other user ids than the caller's, and the
 * process has already taken the container's user: a throwaway thread then takes the same ids.
 */
public final class ProcessLimits {
    private ProcessLimits() {}

    public static void rlimit(int pid, int resource, long soft, long hard, String name) {
        try {
            try {
                Sys.prlimit(pid, resource, soft, hard, name);
            } catch (SyscallException e) {
                int[] ids = ids(pid);
                if (e.errno() != Errnos.EPERM || ids == null || (ids[0] == 0 && ids[1] == 0)) throw e;
                ThrowawayThread.call("jbox-prlimit", () -> {
                    Sys.setresgid(ids[1]);
                    Sys.setresuid(ids[0]);
                    Sys.prlimit(pid, resource, soft, hard, name);
                    return null;
                });
            }
        } catch (SyscallException e) {
            if (e.errno() != Errnos.EPERM) throw e;
            throw new IllegalArgumentException("ulimit " + name + "=" + soft + ":" + hard + " was refused (EPERM): a hard limit above jbox's own ("
                    + hardLimit(resource) + ") needs CAP_SYS_RESOURCE, which jbox's process lacks on this host");
        }
    }

    public static void oomScoreAdj(int pid, int value) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/oom_score_adj"), String.valueOf(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("oom_score_adj " + value + " was refused (" + e.getMessage() + ")"
                    + (value < 0 ? ": lowering it below jbox's own needs CAP_SYS_RESOURCE, which jbox's process lacks on this host" : ""));
        }
    }

    /** The real uid and gid of a process, from /proc/PID/status, or null if it has gone. */
    private static int[] ids(int pid) {
        try {
            int[] out = new int[2];
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Uid:")) out[0] = Integer.parseInt(line.split("\\s+")[1]);
                if (line.startsWith("Gid:")) out[1] = Integer.parseInt(line.split("\\s+")[1]);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This process's hard limit, from /proc/self/limits, whose rows follow the resource numbers. */
    private static String hardLimit(int resource) {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).get(resource + 1).substring(26).trim().split("\\s+")[1];
        } catch (IOException | RuntimeException e) {
            return "see /proc/self/limits";
        }
    }
}
