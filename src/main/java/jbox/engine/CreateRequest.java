package jbox.engine;

import jbox.cgroup.Resources;

import java.util.List;

/**
 * What `jbox create` / `jbox run` ask for, before it is resolved against the image.
 *
 * @param entrypoint null keeps the image's; an empty string clears it (as --entrypoint "" does)
 * @param command    empty keeps the image's Cmd
 * @param storage    bind mounts, volumes, tmpfs, read-only root (null: none)
 * @param restart    the restart policy (null: no), which a daemon carries out
 * @param health     the health check (null: none), which a daemon runs
 * @param network    --network and -p (null: the default bridge, nothing published)
 * @param confinement capabilities, seccomp, devices, sysctls, ulimits, shared namespaces (null: Docker's defaults)
 * @param log        the logging driver and its options (null: json-file, bounded)
 * @param labels     --label (null: none); the image's labels are added under them
 * @param stop       --stop-signal and --stop-timeout (null: the image's STOPSIGNAL, 10 s)
 * @param init       --init: docker's init (tini) as the first process, running the command
 */
public record CreateRequest(
        String image,
        String name,
        List<String> command,
        String entrypoint,
        List<String> env,
        String workingDir,
        String user,
        String hostname,
        boolean tty,
        boolean interactive,
        boolean autoRemove,
        Resources resources,
        jbox.linux.Storage storage,
        jbox.runtime.Restart restart,
        jbox.runtime.Health health,
        jbox.net.Networking network,
        jbox.runtime.Confinement confinement,
        jbox.runtime.LogConfig log,
        java.util.Map<String, String> labels,
        jbox.runtime.StopRule stop,
        boolean init) {}
