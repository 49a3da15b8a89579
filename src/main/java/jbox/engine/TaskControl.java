package jbox.engine;


import jbox.sys.Processes;
import jbox.sys.Failure;

import jbox.cgroup.Cgroup;
import jbox.cgroup.Resources;
import jbox.cgroup.Usage;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.runtime.StateStore;
import jbox.runtime.Status;
import jbox.sys.Linux;
import jbox.io.FileLock;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** The engine's task control of running containers: signals, pause, limits (update), accounting, processes, exec. */
public final class TaskControl {
    private final Engine engine;
    private final StateStore containers;
    private final ConfinementRules confinement;

    TaskControl(Engine engine) {
        this.engine = engine;
        this.containers = engine.containers();
        this.confinement = engine.confinement();
    }

    /** A running container's cgroup, or a clear error. */
    private Cgroup runningCgroup(ContainerState s, String action) {
        if (!s.status().hasProcess()) {
            throw new Failure("Cannot " + action + " container " + s.name() + ": it is not running",
                    "only a running container has a cgroup with processes", "start it first").httpStatus(409);
        }
        try {
            Cgroup cg = engine.cgroupOf(s);
            if (cg == null) {
                jbox.cgroup.Cgroups.Unavailable why = engine.cgroups().unavailable();
                if (why != null) throw new Failure("Cannot " + action + " container " + s.name() + ": it has no cgroup", why.cause(), why.fix());
                throw new Failure("container " + s.name() + " has no cgroup", "it was started without cgroups", "restart it");
            }
            return cg;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot find the cgroup of " + s.name());
        }
    }

    /** docker pause: freezes every process of the container (task control). */
    public void pause(String nameOrId) { setPaused(nameOrId, true); }

    public void unpause(String nameOrId) { setPaused(nameOrId, false); }

    private void setPaused(String nameOrId, boolean pause) {
        ContainerState s = engine.lifecycle().inspect(nameOrId);
        if (pause ? s.status() == Status.PAUSED : s.status() == Status.RUNNING) {
            throw new Failure("Container " + s.name() + " is " + (pause ? "already paused" : "not paused"), null,
                    pause ? "unpause it with jbox unpause " + s.name() : "pause it with jbox pause " + s.name()).httpStatus(409);
        }
        Cgroup cg = runningCgroup(s, pause ? "pause" : "unpause");
        if (pause) cg.freeze(); else cg.thaw();
        try (FileLock ignored = containers.lock(s.id())) {
            ContainerState now = containers.load(s.id());
            if (now.status().hasProcess()) containers.save(now.withStatus(pause ? Status.PAUSED : Status.RUNNING));
            engine.events().container(now, pause ? "pause" : "unpause", java.util.Map.of());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the pause of " + s.name());
        }
    }

    /** docker update: new limits for a running (or stopped) container; kept for its next start. */
    public ContainerState update(String nameOrId, Resources changes) {
        ContainerState s = engine.lifecycle().inspect(nameOrId);
        Resources merged = Engine.checked(s.limits().merge(changes));
        if (s.status().hasProcess()) {
            // A new --memory alone keeps an earlier --memory-swap (or gets Docker's default of twice the memory).
            Resources toWrite = changes;
            if (changes.memory() != null && changes.memorySwap() == null) {
                toWrite = changes.merge(new Resources(null, merged.memorySwap(), null, null, null, null, null, null, null));
            }
            try {
                runningCgroup(s, "update").apply(toWrite);
            } catch (jbox.cgroup.CgroupException e) {
                throw new Failure(e.getMessage(), "the kernel refused the new limit", "choose another value");
            }
        }
        try (FileLock ignored = containers.lock(s.id())) {
            ContainerState updated = containers.load(s.id()).withResources(merged);
            containers.save(updated);
            return updated;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot record the new limits of " + s.name());
        }
    }

    /** What a running container has used (accounting). */
    public Usage usage(ContainerState s) { return runningCgroup(s, "read the usage of").usage(); }

    /** Pids (host view) of every process in a running container. */
    public List<Integer> processes(String nameOrId) {
        ContainerState s = engine.lifecycle().inspect(nameOrId);
        try {
            // Without a cgroup (jbox without root, on a host that delegates none) its pid namespace says who is in it.
            if (s.status().hasProcess() && engine.cgroups().unavailable() != null) return Processes.inPidNamespaceOf(s.pid());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot list the processes of " + s.name());
        }
        return runningCgroup(s, "list the processes of").pids();
    }

    /** Sends a signal to the container's first process. */
    public void kill(String nameOrId, int signal) {
        ContainerState s = engine.lifecycle().inspect(nameOrId);
        if (!s.status().canStop()) {
            throw new Failure("Cannot kill container: " + nameOrId + ": container " + s.id() + " is not running",
                    "only a running container has processes to signal", "start it first, or check jbox ps -a").httpStatus(409);
        }
        signal(s, signal);
    }

    /**
     * SIGKILL goes to the whole cgroup; other signals to PID 1. A paused container is thawed
     * after the signal is sent, or it could never act on it.
     */
    void signal(ContainerState s, int signal) {
        Optional<Cgroup> cg;
        try {
            cg = Optional.ofNullable(engine.cgroupOf(s));
        } catch (IOException e) {
            cg = Optional.empty();
        }
        engine.events().container(s, "kill", java.util.Map.of("signal", String.valueOf(signal)));
        if (signal == Linux.SIGKILL && cg.isPresent()) cg.get().kill(signal); else Processes.signal(s.pid(), s.pidStartTime(), signal, 0);
        if (s.status() == Status.PAUSED && cg.isPresent()) cg.get().thaw();
    }

    /** docker exec: starts one more process in a running container, as a child of this process. */
    public jbox.runtime.ExecStart.Started exec(String nameOrId, List<String> args, List<String> env, String workingDir, String user,
                                               boolean tty, LaunchSpec.Stdio stdio) {
        ContainerState s = engine.lifecycle().inspect(nameOrId);
        if (!s.status().hasProcess()) {
            throw new Failure("Container " + s.name() + " is not running", "exec runs a process next to a running container's first process",
                    "start it first (jbox start " + s.name() + ")").httpStatus(409);
        }
        if (s.status() == Status.PAUSED) {
            throw new Failure("Container " + s.name() + " is paused", "a frozen container cannot run anything new",
                    "unpause it first (jbox unpause " + s.name() + ")").httpStatus(409);
        }
        List<String> fullEnv = Environment.merge(s.env(), env, s.hostname(), tty);
        try {
            return jbox.runtime.ExecStart.start(new jbox.runtime.ExecStart.Spec(s.id(), s.pid(), args, fullEnv,
                    workingDir == null || workingDir.isEmpty() ? s.workingDir() : workingDir,
                    user == null || user.isEmpty() ? s.user() : user, tty, stdio, engine.cgroupOf(s), confinement.credentials(s.confined()), null,
                    containers.dirOf(s.id()), s.confined()::limitProcess));
        } catch (RuntimeException | IOException e) {
            throw Errors.explain(e, "cannot exec in container " + s.name());
        }
    }
}
