package jbox.daemon;

import jbox.engine.Lifecycle;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import jbox.runtime.Restart;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's restart policies: after a container exits, on-failure, always and unless-stopped
 * bring it back after a growing delay (100 ms, doubled each time, at most a minute) and count it;
 * a user's stop leaves it down; when the daemon starts, always and unless-stopped containers start too.
 */
final class Restarts {
    private final Engine engine;
    private final Supervisor supervisor;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jbox-restarts");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closing;

    Restarts(Engine engine, Supervisor supervisor) {
        this.engine = engine;
        this.supervisor = supervisor;
    }

    /** Listens for exits, and starts what should run with the daemon. Returns how many it started. */
    int enable() {
        supervisor.onExit(this::exited);
        int started = 0;
        for (ContainerState c : engine.lifecycle().list(true)) {
            if (!c.status().hasProcess() && c.restarts().startsWithDaemon()) {
                try {
                    supervisor.start(c.id());
                    started++;
                } catch (RuntimeException e) {
                    System.err.println("jbox daemon: cannot restart " + c.name() + ": " + e.getMessage());
                }
            }
        }
        return started;
    }

    /** The daemon is stopping: its own stops are not exits to restart from. */
    void close() {
        closing = true;
        timer.shutdownNow();
    }

    private void exited(String id, int code) {
        if (closing) return;
        ContainerState c;
        try {
            c = engine.lifecycle().inspect(id);
        } catch (RuntimeException e) {
            return; // removed
        }
        Restart r = c.restarts();
        if (!r.restartsAfter(code) || !engine.lifecycle().markRestartPending(id)) return;
        timer.schedule(() -> restart(id), r.delayMillis(), TimeUnit.MILLISECONDS);
    }

    private void restart(String id) {
        if (closing) return;
        try {
            supervisor.start(id, false);
        } catch (Lifecycle.NotRestartedException e) {
            // a user stopped it meanwhile
        } catch (RuntimeException e) {
            System.err.println("jbox daemon: cannot restart " + id.substring(0, 12) + ": " + e.getMessage());
        }
    }
}
