package jbox.runtime;

import jbox.linux.MountPlan;


import jbox.linux.DeviceNode;

import jbox.linux.Credentials;

import jbox.cgroup.Cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one container start needs, resolved from image and flags by the engine.
 *
 * @param lowerDirs unpacked image layers, topmost first (overlayfs lowerdir order)
 * @param stateDir  the container's directory on the host: upper, work, rootfs and gate live here
 * @param stdio     descriptors the container's stdin, stdout, stderr come from (ignored with a tty)
 * @param mounts    its bind mounts, volumes and tmpfs, made before pivot_root
 * @param hostNetwork share the host's network namespace (--network host) instead of a new one
 * @param credentials what the container's first process gets: capabilities, no_new_privs, seccomp filter
 * @param confinement its devices, sysctls, rlimits, masked paths and shared namespaces (jbox containers; a bundle has its own)
 * @param devices     host devices to make in its /dev, with their numbers
 * @param ipcWith     a running container's pid whose ipc namespace (and /dev/shm) it joins, or 0
 * @param pidWith     a running container's pid whose pid namespace it joins, or 0
 * @param bundle      set when the container comes from an OCI bundle: config.json's steps replace the image's
 */
public record LaunchSpec(
        String id,
        String hostname,
        List<Path> lowerDirs,
        Path stateDir,
        List<String> args,
        List<String> env,
        String workingDir,
        String user,
        boolean tty,
        Stdio stdio,
        Cgroup cgroup,
        List<MountPlan> mounts,
        boolean readOnlyRootfs,
        boolean hostNetwork,
        Credentials credentials,
        Confinement confinement,
        List<DeviceNode> devices,
        int ipcWith,
        int pidWith,
        BundleSteps bundle) {

    public record Stdio(int in, int out, int err) {}

    public Path upperDir() { return stateDir.resolve("upper"); }
    public Path workDir() { return stateDir.resolve("work"); }
    public Path rootfs() { return bundle != null ? bundle.rootfs() : stateDir.resolve("rootfs"); }
    public Path gateDir() { return stateDir.resolve("gate"); }
}
