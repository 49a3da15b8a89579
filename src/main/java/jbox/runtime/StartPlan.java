package jbox.runtime;

import jbox.linux.User;
import jbox.sys.Namespaces;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a container start is made of, where starting from an image ({@link ImagePlan}: jbox run,
 * and the shell's steps) and from an OCI bundle (jbox-runc's config.json) differ. {@link ContainerStart}
 * takes the {@link StartStep}s in one order for both and asks the plan at the points named;
 * the thread each runs on is given.
 */
public interface StartPlan {
    /** Where the root filesystem is mounted, and pivot_root goes. */
    Path rootfs();

    /** E, before T starts: anything that must be fetched from another namespace first. */
    default void prepare() {}

    /**
     * The container's own user namespace, made or opened by {@link #prepare}, or null for the host's.
     * Its first process then execs jbox-ns to enter it and take its credentials there (T does not).
     */
    default jbox.linux.UserNamespace userNamespace() { return null; }

    /**
     * Who forks the container's first process, when not T: then, as with a user namespace, it execs
     * jbox-ns, which takes the credentials (T does not).
     */
    default CallerFork callerFork() { return null; }

    /** Which namespaces are new, which are joined by path; a kind left out stays the host's. */
    Namespaces.Plan namespaces();

    /** T, in the new mount namespace (ROOTFS): mount propagation, and the root filesystem at {@link #rootfs()}. */
    void mountRoot() throws IOException;

    /** T (MOUNTS): everything mounted on the root but /proc and {@link #mountAfterProc}'s. Returns where /proc goes, or null for none. */
    Path mountFilesystems() throws IOException;

    /**
     * Whether some mounts wait for /proc: an OCI bundle's config.json lists its mounts in order, and
     * /proc/self/mountinfo must show them so, but /proc can only be made once C exists. The terminal
     * and the read-only root then wait for them too.
     */
    default boolean mountsAfterProc() { return false; }

    /** S (MOUNTS_AFTER_PROC), in C's namespaces but pid, /proc mounted: the mounts after it, in order. */
    default void mountAfterProc() throws IOException {}

    /**
     * With mounts after /proc, the path C opens its terminal by, fixed before the terminal exists: the
     * first pty of a devpts mounted among them (a new devpts instance numbers from 0, as runc's
     * containers see /dev/pts/0), else /dev/console, which the terminal is bound over.
     */
    default String lateTerminalPath() { return "/dev/console"; }

    /** T (HOSTNAME): the host and domain names, in a new uts namespace. */
    void nameHost();

    /** T (PROGRAM): the user the program runs as, with its groups. */
    User user(Path root) throws IOException;

    /** T (READ_ONLY_ROOT). */
    boolean readOnlyRoot();

    /** The descriptors above stderr the container keeps (OCI --preserve-fds). */
    default int preservedFds() { return 0; }

    /** E (LIMITS): the gated process exists. */
    void afterSpawn(int pid);

    /** S (KERNEL_PATHS), in the container's mount namespace with /proc mounted, before pivot_root. */
    void beforePivot(int pid) throws IOException;

    /** S (PIVOT), in the new root: what waits for it (an OCI bundle's rootfsPropagation, which pivot_root refuses before). */
    default void afterPivot() {}

    /** E (NETWORK): the container's network, once its process exists; before START. */
    default void attachNetwork(int pid) {}

    /** E, whatever happened: gives back what prepare took. */
    default void release() {}
}
