package jbox.runtime;

import jbox.cgroup.Resources;
import jbox.linux.Storage;
import jbox.net.Networking;

import java.util.List;

/**
 * What a container is: fixed at create (its limits changed by update), the same for each start.
 *
 * @param layers     the image's layer diff ids, topmost last
 * @param resources  the cgroup limits it runs with
 * @param storage    its bind mounts, volumes, tmpfs and read-only root (null in older records)
 * @param restart    its restart policy: name and retries (the count is run state)
 * @param health     its health check, which the daemon runs (null: none)
 * @param network    its network and published ports (its address while running is run state)
 * @param confinement its capabilities, seccomp profile, devices, sysctls and shared namespaces (null in older records: Docker's defaults)
 * @param logConfig  its logging driver (null in older records: json-file)
 * @param labels     its labels: the image's, then its own (null in older records: none)
 * @param stop       its stop signal and timeout (null in older records: SIGTERM, 10 s)
 * @param init       whether docker's init (tini) is its first process, running its command (--init)
 */
public record ContainerConfig(
        String id,
        String name,
        String created,
        String image,
        String imageId,
        List<String> args,
        List<String> env,
        String workingDir,
        String user,
        String hostname,
        boolean tty,
        boolean openStdin,
        boolean autoRemove,
        List<String> layers,
        Resources resources,
        Storage storage,
        Restart restart,
        Health health,
        Networking network,
        Confinement confinement,
        LogConfig logConfig,
        java.util.Map<String, String> labels,
        StopRule stop,
        boolean init) {

    public ContainerConfig withNetwork(Networking n) {
        return new ContainerConfig(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove, layers,
                resources, storage, restart, health, n, confinement, logConfig, labels, stop, init);
    }

    public ContainerConfig withResources(Resources r) {
        return new ContainerConfig(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove, layers,
                r, storage, restart, health, network, confinement, logConfig, labels, stop, init);
    }
}
