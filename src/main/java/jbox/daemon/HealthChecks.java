package jbox.daemon;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import jbox.runtime.ExecStart;
import jbox.runtime.Health;
import jbox.runtime.LaunchSpec;
import jbox.runtime.Status;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's health checks: while a container with a check runs, its test runs inside it every
 * interval, the way exec does, with a timeout. Enough failures in a row make it unhealthy; failures
 * in the start period do not count; one success makes it healthy. The last five results are kept
 * in containers/ID/health.json, which inspect and ps read.
 */
final class HealthChecks {
    private static final int KEEP = 5;
    private static final int OUTPUT_LIMIT = 4096;

    private final Engine engine;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "jbox-health");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ScheduledFuture<?>> watched = new ConcurrentHashMap<>();

    HealthChecks(Engine engine) { this.engine = engine; }

    /** Starts checking a container that just started (or was found running): its health starts over. */
    void watch(String id) {
        ContainerState c;
        try {
            c = engine.lifecycle().inspect(id);
        } catch (RuntimeException e) {
            return; // gone already
        }
        Health h = c.health();
        if (h == null || h.isNone()) return;
        try {
            engine.health().saveHealth(id, new Health.State("starting", 0, List.of()));
        } catch (IOException e) {
            return;
        }
        long started = System.nanoTime();
        ScheduledFuture<?> old = watched.put(id, timer.scheduleWithFixedDelay(() -> check(id, h, started), h.intervalNs(), h.intervalNs(),
                TimeUnit.NANOSECONDS));
        if (old != null) old.cancel(false);
    }

    void close() { timer.shutdownNow(); }

    private void check(String id, Health h, long started) {
        ContainerState c;
        try {
            c = engine.lifecycle().inspect(id);
        } catch (RuntimeException e) {
            stop(id); // removed
            return;
        }
        if (!c.status().hasProcess()) {
            stop(id);
            return;
        }
        if (c.status() == Status.PAUSED) return;
        String start = Instant.now().toString();
        int[] result = new int[1];
        String output = run(id, h, result);
        Health.State before = engine.health().healthState(id);
        if (before == null) before = new Health.State("starting", 0, List.of());
        // as Docker: the start period ends early with the first success ("starting" is left)
        boolean inStartPeriod = before.status().equals("starting") && System.nanoTime() - started < h.startPeriodNs();
        String status;
        int streak;
        if (result[0] == 0) {
            status = "healthy";
            streak = 0;
        } else if (inStartPeriod) {
            status = before.status();
            streak = before.failingStreak();
        } else {
            streak = before.failingStreak() + 1;
            status = streak >= h.retries() ? "unhealthy" : before.status();
        }
        List<Health.Result> log = new ArrayList<>(before.log());
        log.add(new Health.Result(start, Instant.now().toString(), result[0], output));
        while (log.size() > KEEP) log.remove(0);
        try {
            engine.health().saveHealth(id, new Health.State(status, streak, log));
        } catch (IOException e) {
            stop(id);
        }
    }

    private void stop(String id) {
        ScheduledFuture<?> f = watched.remove(id);
        if (f != null) f.cancel(false);
    }

    /** Runs the test in the container; its exit code goes to code[0] (-1 when it timed out or could not run). */
    private String run(String id, Health h, int[] code) {
        int[] pipe = Sys.pipe();
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        ExecStart.Started p;
        try {
            p = engine.tasks().exec(id, h.command(), List.of(), null, null, false, new LaunchSpec.Stdio(devNull, pipe[1], pipe[1]));
        } catch (RuntimeException e) {
            Sys.close(pipe[0]);
            code[0] = -1;
            return e.getMessage();
        } finally {
            Sys.close(pipe[1]);
            Sys.close(devNull);
        }
        int pidfd = Sys.pidfdOpenQuiet(p.pid());
        boolean ended = pidfd < 0 || Sys.pollIn(pidfd, (int) Math.min(Integer.MAX_VALUE, h.timeoutNs() / 1_000_000));
        if (pidfd >= 0) Sys.close(pidfd);
        if (!ended) Sys.kill(p.pid(), Linux.SIGKILL);
        int status = Sys.waitpid(p.pid());
        Sys.setNonBlocking(pipe[0]);
        byte[] buf = new byte[OUTPUT_LIMIT];
        int n = Math.max(0, Sys.read(pipe[0], buf));
        Sys.close(pipe[0]);
        if (!ended) {
            code[0] = -1;
            return "Health check exceeded timeout (" + h.timeoutNs() / 1_000_000 + "ms)";
        }
        code[0] = Linux.exitCode(status);
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
