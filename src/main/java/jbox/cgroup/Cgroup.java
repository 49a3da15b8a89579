package jbox.cgroup;

/** One container's cgroup, in every hierarchy the host has. */
public interface Cgroup {
    /** Human-readable path, e.g. /jbox/ID. */
    String path();

    /**
     * Moves one thread of this JVM in, where the hierarchy allows single threads (cgroup v1).
     * A process spawned by that thread is then born inside: no window where it runs outside.
     * Returns false where only whole processes can move (cgroup v2).
     */
    boolean joinThread(int tid);

    /** Moves a whole process in (cgroup.procs). */
    void addProcess(int pid);

    /** Pids of every process inside. */
    java.util.List<Integer> pids();

    /** Kills everything inside and removes the cgroup from every hierarchy. */
    void destroy();
}
