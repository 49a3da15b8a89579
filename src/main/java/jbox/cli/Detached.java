package jbox.cli;

import jbox.daemon.Monitor;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.sys.Linux;
import jbox.sys.Processes;
import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container in the background without a daemon: someone must stay its parent to collect its
 * exit status. The store's monitor (`jbox _monitor`, a new session, no terminal) is that parent
 * for all of them; the first `run -d` starts it, and it ends soon after its last container.
 */
final class Detached {
    private Detached() {}

    static void start(Engine engine, String id) {
        Monitor.start(engine.root(), id, () -> spawnMonitor(engine));
    }

    /** Starts the store's monitor and waits until it listens; its errors go to monitor.log in the store. */
    private static void spawnMonitor(Engine engine) throws IOException {
        Path logFile = engine.root().resolve("monitor.log");
        int log = Sys.open(logFile.toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_APPEND | Linux.O_CLOEXEC, 0640);
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        int[] ready = Sys.pipe();
        List<String> argv = SelfCommand.argv();
        argv.add("_monitor");
        argv.add("--ready-fd=3");
        int monitor;
        try (Spawn s = new Spawn(argv.get(0), argv, environment(engine))) {
            s.setsid().dup2(devNull, 0).dup2(log, 1).dup2(log, 2).dup2(ready[1], 3).closeFrom(4);
            monitor = s.spawn();
        } finally {
            Sys.close(log);
            Sys.close(devNull);
            Sys.close(ready[1]);
        }
        Processes.reapInBackground(monitor);
        try {
            byte[] buf = new byte[16];
            int n = Sys.read(ready[0], buf);
            if (n <= 0) {
                throw new Failure("the monitor of background containers ended before it was ready", "it could not start; its words are in " + logFile,
                        "read " + logFile + ", fix the cause and run the container again");
            }
        } finally {
            Sys.close(ready[0]);
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
