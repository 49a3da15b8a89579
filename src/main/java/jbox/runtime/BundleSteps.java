package jbox.runtime;

import jbox.linux.User;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How starting a container from an OCI bundle (jbox's runc-compatible runtime) differs from
 * starting one from an image: the bundle's config.json decides the namespaces, mounts, devices,
 * credentials and kernel-path protection. {@link ContainerStart} runs the same choreography for
 * both and calls these at the points named; the thread each runs on is given.
 */
public interface BundleSteps {
    /** The bundle's root filesystem (bound onto itself, no overlay). */
    Path rootfs();

    /** T, after unshare(CLONE_FS): joins the namespaces config.json names by path and unshares the new ones (all but pid). */
    void enterNamespaces();

    /** Whether the container gets a pid namespace of its own (T then unshares it just before the spawn). */
    boolean newPidNamespace();

    /** Whether the container gets a network namespace of its own (its lo is brought up). */
    boolean newNetNamespace();

    /** T, in the new mount namespace: propagation, the root bound onto itself, config.json's mounts and devices. Returns the proc mount's target, or null. */
    Path mountRoot() throws IOException;

    /** The user the container runs as, with the groups config.json gives. */
    User user(Path root) throws IOException;

    /** The descriptors above stderr the container keeps (--preserve-fds). */
    int preservedFds();

    /** E: the gated process exists: rlimits, oom_score_adj, then the createRuntime and prestart hooks. */
    void afterSpawn(int pid);

    /** S, in the container's mount namespace, /proc mounted: masked and read-only paths, sysctl, the createContainer hooks. Then S pivots. */
    void beforePivot(int pid) throws IOException;
}
