package jbox.runtime;

import jbox.linux.Storage;

import jbox.cgroup.Resources;

import java.util.List;

/**
 * A container as recorded on disk (ROOT/containers/ID/state.json). Written atomically by the
 * process that owns the container; any jbox process may read it.
 *
 * @param ownerPid     the jbox process that is the container's parent and will record its exit
 * @param pidStartTime start time of pid (from /proc), to tell it from a later process with the same pid
 * @param resources    the cgroup limits it runs with (changed by jbox update)
 * @param oomKilled    the kernel's OOM killer ended it (its memory limit was reached)
 * @param storage      its bind mounts, volumes, tmpfs and read-only root (null in older records)
 * @param restart      its restart policy, restart count, and whether a user stopped it (null in older records)
 * @param health       its health check, which the daemon runs (null: none)
 * @param network      its network, published ports and, while running, its address (null in older records: lo only)
 * @param confinement  its capabilities, seccomp profile, devices, sysctls and shared namespaces (null in older records: Docker's defaults)
 * @param logConfig    its logging driver (null in older records: json-file)
 */
public record ContainerState(
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
        Resources resources,
        boolean paused,
        boolean oomKilled,
        Storage storage,
        Restart restart,
        Health health,
        jbox.net.Networking network,
        Confinement confinement,
        LogConfig logConfig) {

    public String shortId() { return id.substring(0, 12); }

    public ContainerState running(int pid, long pidStart, int owner, long ownerStart, String startedAt, String procMount, jbox.net.Networking.Endpoint endpoint) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, Status.RUNNING, pid, pidStart, owner, ownerStart, 0, null, startedAt, null, procMount, resources, false, false, storage, restart, health, networking().withEndpoint(endpoint), confinement, logConfig);
    }

    public ContainerState exited(int exitCode, String error, String finishedAt, boolean oomKilled) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, Status.EXITED, 0, 0, 0, 0, exitCode, error, startedAt, finishedAt, procMount, resources, false, oomKilled, storage, restart, health, networking().withEndpoint(null), confinement, logConfig);
    }

    public ContainerState failed(int exitCode, String error) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, status == Status.RUNNING ? Status.EXITED : status, 0, 0, 0, 0, exitCode, error, startedAt, finishedAt, procMount,
                resources, false, false, storage, restart, health, networking().withEndpoint(null), confinement, logConfig);
    }

    public ContainerState withResources(Resources r) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, status, pid, pidStartTime, ownerPid, ownerStartTime, exitCode, error, startedAt, finishedAt, procMount, r, paused, oomKilled, storage, restart, health, network, confinement, logConfig);
    }

    public ContainerState withPaused(boolean p) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, status, pid, pidStartTime, ownerPid, ownerStartTime, exitCode, error, startedAt, finishedAt, procMount, resources, p, oomKilled, storage, restart, health, network, confinement, logConfig);
    }

    public ContainerState withOwner(int owner, long ownerStart) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, status, pid, pidStartTime, owner, ownerStart, exitCode, error, startedAt, finishedAt, procMount, resources, paused, oomKilled, storage, restart, health, network, confinement, logConfig);
    }

    public Resources limits() { return resources == null ? Resources.NONE : resources; }

    /** Its restart policy and count; "no" for a container recorded before jbox had them. */
    public Restart restarts() { return Restart.orNo(restart); }

    public ContainerState withRestart(Restart r) {
        return new ContainerState(id, name, created, image, imageId, args, env, workingDir, user, hostname, tty, openStdin, autoRemove,
                layers, status, pid, pidStartTime, ownerPid, ownerStartTime, exitCode, error, startedAt, finishedAt, procMount, resources, paused,
                oomKilled, storage, r, health, network, confinement, logConfig);
    }

    /** Its mounts; none for a container recorded before jbox had them. */
    public Storage mounts() { return Storage.orNone(storage); }

    /** Its network; lo only for a container recorded before jbox had networks. */
    public jbox.net.Networking networking() { return jbox.net.Networking.orNone(network); }

    /** Its confinement; Docker's defaults for a container recorded before jbox had them. */
    public Confinement confined() { return confinement == null ? Confinement.DEFAULT : confinement; }

    public LogConfig logging() { return LogConfig.orDefault(logConfig); }

    /** Its address on a bridge while it runs, else null. */
    public jbox.net.Networking.Endpoint endpoint() { return networking().endpoint(); }
}
