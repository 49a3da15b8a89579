package jbox.cli;

import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.runtime.ContainerState;
import jbox.sys.Processes;
import jbox.runtime.Status;
import jbox.sys.Linux;
import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A container in the background without a daemon: someone must stay its parent to collect its
 * exit status, so jbox starts a small monitor (`jbox _monitor ID`, a new session, no terminal)
 * that starts the container and waits for it, as podman's conmon does. With the daemon (a later
 * part of jbox) the daemon is that parent instead.
 */
final class Detached {
    private Detached() {}

    static void start(Engine engine, String id) {
        ContainerState before = engine.lifecycle().inspect(id);
        Path dir = engine.containers().dirOf(id);
        int monitor;
        int log = Sys.open(dir.resolve("monitor.log").toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_APPEND | Linux.O_CLOEXEC, 0640);
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        List<String> argv = SelfCommand.argv();
        argv.add("_monitor");
        argv.add(id);
        try (Spawn s = new Spawn(argv.get(0), argv, environment(engine))) {
            s.setsid().dup2(devNull, 0).dup2(log, 1).dup2(log, 2).closeFrom(3);
            monitor = s.spawn();
        } finally {
            Sys.close(log);
            Sys.close(devNull);
        }
        jbox.sys.Processes.reapInBackground(monitor);
        while (true) {
            ContainerState now;
            try {
                now = engine.containers().load(id);
            } catch (NoSuchFileException e) {
                return; // it ran, ended and removed itself (--rm)
            } catch (IOException e) {
                throw jbox.engine.Errors.explain(e, "cannot read container " + id);
            }
            boolean started = !Objects.equals(now.startedAt(), before.startedAt());
            if (started && now.status() != Status.CREATED) return;
            if (!Processes.isAlive(monitor)) {
                if (started) return;
                String why = now.error() != null && !Objects.equals(now.error(), before.error()) ? now.error()
                        : "the monitor process ended without starting it; see " + dir.resolve("monitor.log");
                throw new Failure(now.exitCode() > 0 ? now.exitCode() : 125, why, "the container could not be started",
                        "fix the cause above and start it again", null);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static List<String> environment(Engine engine) {
        List<String> env = new ArrayList<>();
        Map<String, String> vars = new java.util.TreeMap<>(System.getenv());
        // Settings given as -D properties (tests, the shell) reach the monitor as their JBOX_ variables.
        vars.put("JBOX_ROOT", engine.root().toString());
        vars.put("JBOX_HOME", engine.home().toString());
        for (String setting : List.of("proc", "cgroup")) {
            String v = System.getProperty("jbox." + setting);
            if (v != null) vars.put("JBOX_" + setting.toUpperCase(java.util.Locale.ROOT), v);
        }
        vars.forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

}
