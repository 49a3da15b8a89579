package jbox.runtime;

/**
 * The steps of a container start, in the order {@link ContainerStart} takes them, with the thread
 * that takes each: E the caller, T the namespace thread, S the setup thread (see ContainerStart's
 * drawing). jbox run, the shell's `enter` steps and jbox-runc take these same steps; what differs
 * between an image and an OCI bundle is in the {@link StartPlan}.
 */
public enum StartStep {
    CGROUP_THREAD("T", "cgroup v1: T joins the container's cgroups, so what it spawns is born there; v2: a helper in the cgroup makes the cgroup namespace"),
    NAMESPACES("T", "unshare(CLONE_FS); setns into shared namespaces in join order; unshare the new ones, all but pid"),
    ROOTFS("T", "mounts private; the root: the image's layers as an overlay (a bundle's rootfs bound onto itself)"),
    MOUNTS("T", "/dev with its nodes, devpts, shm, mqueue, --device nodes, /sys, then volumes, binds and tmpfs (a bundle's mounts before /proc)"),
    HOSTNAME("T", "sethostname (and setdomainname) in the new uts namespace"),
    LOOPBACK("T", "lo up in the new network namespace"),
    TERMINAL("T", "with a tty: a pty from the container's devpts, its other end bound over /dev/console"),
    PROGRAM("T", "the program on the image's PATH, the user from its /etc/passwd, the working directory made"),
    READ_ONLY_ROOT("T", "--read-only: the root's own mount made read-only, after the mounts on it"),
    GATE("T", "the gate FIFO; the spawn's file actions: stdio, closefrom, then open(gate), which blocks"),
    PID_NAMESPACE("T", "unshare(CLONE_NEWPID) or setns to a shared one: T starts no thread from here"),
    CREDENTIALS("T", "bounding capabilities, no_new_privs, setgroups/setresgid/setresuid, umask, then the seccomp filter"),
    SPAWN("T", "posix_spawn: C is born in T's namespaces (PID 1 of a new pid namespace) and waits at the gate"),
    LIMITS("E", "rlimits and oom_score_adj on C (a bundle's prestart and createRuntime hooks)"),
    PROC("S", "S joins T's mount namespace and mounts /proc for C's pid namespace"),
    MOUNTS_AFTER_PROC("S", "a bundle's mounts that config.json lists after /proc, in its order (S in C's namespaces), then its terminal and read-only root"),
    KERNEL_PATHS("S", "sysctls through /proc/sys, then the masked and read-only /proc and /sys paths (a bundle's createContainer hooks)"),
    PIVOT("S", "pivot_root into the root; the old root detached: C's root moves too"),
    CGROUP("E", "cgroup v2: C's pid into the container's cgroup.procs"),
    NETWORK("E", "a veth pair: one end into C's network namespace as eth0, with its address and routes"),
    START("E", "later (OCI start): open(gate) for writing; C's open returns, it takes its terminal, chdirs and execs");

    /** E, T or S. */
    public final String thread;
    public final String does;

    StartStep(String thread, String does) {
        this.thread = thread;
        this.does = does;
    }

    /** How explain mode shows the step begin. */
    public String title() { return "# " + name().toLowerCase().replace('_', '-') + ": " + does; }
}
