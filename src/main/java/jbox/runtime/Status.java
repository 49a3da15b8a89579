package jbox.runtime;

/**
 * A container's lifecycle state, with the moves each allows: Docker's five states. An OCI
 * runtime names four of them (created, running, paused, stopped), see {@link #oci()}.
 */
public enum Status {
    /** Made, never started (or its first start failed). */
    CREATED,
    /** Its first process runs. */
    RUNNING,
    /** Its processes are frozen. */
    PAUSED,
    /** Exited, and its restart policy starts it again after a delay. */
    RESTARTING,
    /** Its first process ended. */
    EXITED;

    /** Whether it has a first process (running or frozen). */
    public boolean hasProcess() { return this == RUNNING || this == PAUSED; }

    public boolean canStart() { return this == CREATED || this == EXITED || this == RESTARTING; }

    public boolean canStop() { return hasProcess(); }

    public boolean canPause() { return this == RUNNING; }

    public boolean canUnpause() { return this == PAUSED; }

    /** exec, top, stats and update of a live cgroup. */
    public boolean canExec() { return this == RUNNING; }

    public boolean canRemoveWithoutForce() { return !hasProcess(); }

    /** Docker's word (State.Status). */
    public String wire() { return name().toLowerCase(); }

    /** The OCI runtime spec's word (state's status). */
    public String oci() {
        return switch (this) {
            case CREATED -> "created";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case RESTARTING, EXITED -> "stopped";
        };
    }
}
