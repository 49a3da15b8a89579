package jbox.cgroup;

import java.util.List;

/**
 * One container's cgroup, in whichever hierarchies hold each controller. Cgroups do four jobs,
 * and each has its methods here: limits and priority ({@link #apply}), accounting ({@link #usage}),
 * and task control ({@link #freeze}, {@link #thaw}, {@link #kill}).
 */
public interface Cgroup {
    /** e.g. /jbox/ID */
    String path();

    /** "v1", "v2" or "hybrid": which kind of host this cgroup lives on. */
    String mode();

    /**
     * Moves one thread of this JVM in, where every hierarchy in use allows single threads (cgroup
     * v1). A process spawned by that thread is then born inside: no window where it runs outside.
     * Returns false where only whole processes can move (cgroup v2).
     */
    boolean joinThread(int tid);

    /** joinThread, except for one controller's tree (a sandbox thread stays out of the freezer it freezes). */
    boolean joinThreadExcept(int tid, String controller);

    /** Moves one thread into this group's tree of one controller, or back to that tree's root (v1 only; no-op elsewhere). */
    void moveThread(int tid, String controller, boolean in);

    /** Moves a whole process in (cgroup.procs). */
    void addProcess(int pid);

    /** Writes limits and weights; fields that are null stay as they are. */
    void apply(Resources resources);

    Usage usage();

    /** Times the OOM killer struck inside: one file read, for recording an exit (usage() reads every controller). */
    long oomKills();

    /** Stops every process inside (v1 freezer.state, v2 cgroup.freeze) and waits until they are. */
    void freeze();

    void thaw();

    boolean frozen();

    /** Sends a signal to every process inside; SIGKILL uses v2's cgroup.kill where the kernel has it. */
    void kill(int signal);

    List<Integer> pids();

    /** More device rules after the default ones ("allow c 10:200 rwm", "deny a"): devices.allow on v1, the eBPF device program on v2. */
    void deviceRules(List<String> rules);

    /** Kills everything inside and removes the cgroup from every hierarchy. */
    void destroy();

    /**
     * The groups above this one that its creation made ("/a" and "/a/b" for "/a/b/c"), shallowest
     * first: empty on reopening. An OCI cgroupsPath's parents are the caller's to name, so they are
     * removed with the container only when jbox made them ({@link Cgroups#removeIfEmpty}).
     */
    List<String> madeParents();
}
