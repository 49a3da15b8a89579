package jbox.runtime;

import jbox.net.Networking;

/**
 * What a container is doing: its status, its first process while it has one, how it last ended,
 * and its restarts.
 *
 * @param ownerPid       the jbox process that is the container's parent and will record its exit
 * @param pidStartTime   start time of pid (from /proc), to tell it from a later process with the same pid
 * @param procMount      how its /proc was mounted (pidns, fallback, host)
 * @param oomKilled      the kernel's OOM killer ended it (its memory limit was reached)
 * @param restartCount   restarts by its policy since a user last started it
 * @param stoppedByUser  a user stopped it: its policy does not restart it
 * @param endpoint       its address on a bridge while it runs, else null
 */
public record RunState(
        Status status,
        int pid,
        long pidStartTime,
        int ownerPid,
        long ownerStartTime,
        int exitCode,
        String error,
        String startedAt,
        String finishedAt,
        String procMount,
        boolean oomKilled,
        int restartCount,
        boolean stoppedByUser,
        Networking.Endpoint endpoint) {

    public static final RunState CREATED = new RunState(Status.CREATED, 0, 0, 0, 0, 0, null, null, null, null, false, 0, false, null);

    public RunState running(int pid, long pidStart, int owner, long ownerStart, String startedAt, String procMount, Networking.Endpoint endpoint) {
        return new RunState(Status.RUNNING, pid, pidStart, owner, ownerStart, 0, null, startedAt, null, procMount, false, restartCount, stoppedByUser, endpoint);
    }

    public RunState exited(int code, String error, String finishedAt, boolean oomKilled) {
        return new RunState(Status.EXITED, 0, 0, 0, 0, code, error, startedAt, finishedAt, procMount, oomKilled, restartCount, stoppedByUser, null);
    }

    /** A start that failed: a container that ran before is exited now; a created one stays created. */
    public RunState failed(int code, String error) {
        Status s = status.hasProcess() ? Status.EXITED : status == Status.RESTARTING ? Status.EXITED : status;
        return new RunState(s, 0, 0, 0, 0, code, error, startedAt, finishedAt, procMount, false, restartCount, stoppedByUser, null);
    }

    public RunState withStatus(Status s) {
        return new RunState(s, pid, pidStartTime, ownerPid, ownerStartTime, exitCode, error, startedAt, finishedAt, procMount, oomKilled, restartCount,
                stoppedByUser, endpoint);
    }

    public RunState withOwner(int owner, long ownerStart) {
        return new RunState(status, pid, pidStartTime, owner, ownerStart, exitCode, error, startedAt, finishedAt, procMount, oomKilled, restartCount,
                stoppedByUser, endpoint);
    }

    public RunState withRestarts(int count, boolean byUser) {
        return new RunState(status, pid, pidStartTime, ownerPid, ownerStartTime, exitCode, error, startedAt, finishedAt, procMount, oomKilled, count,
                byUser, endpoint);
    }
}
