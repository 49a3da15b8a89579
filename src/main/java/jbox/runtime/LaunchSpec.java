package jbox.runtime;

import jbox.cgroup.Cgroup;
import jbox.linux.Credentials;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one container start needs: its process, and the plan of its namespaces and root
 * (from an image or an OCI bundle).
 *
 * @param stateDir    the container's directory on the host: the gate lives here
 * @param stdio       descriptors the container's stdin, stdout, stderr come from (ignored with a tty)
 * @param credentials what the container's first process gets: capabilities, no_new_privs, ids, seccomp filter
 */
public record LaunchSpec(String id, StartPlan plan, List<String> args, List<String> env, String workingDir, boolean tty, Stdio stdio,
                         Cgroup cgroup, Credentials credentials, Path stateDir) {

    public record Stdio(int in, int out, int err) {}

    public Path rootfs() { return plan.rootfs(); }

    public Path gateDir() { return stateDir.resolve("gate"); }
}
