package jbox.cli;

import jbox.engine.Engine;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;
import sun.misc.Signal;

import java.util.List;

/**
 * A container in the foreground, as `docker run` without -d: this process is its parent,
 * forwards signals to it, lends it the terminal (raw, through a pty) with -t, and exits
 * with its exit code.
 */
final class Foreground {
    private Foreground() {}

    /**
     * Forwards INT, TERM, HUP, USR1, USR2 to the container. Installed before the start: the
     * container may already run (and the user press Ctrl-C) before start() returns its pid.
     */
    private static final class SignalProxy {
        private int pid;
        private final List<Integer> pending = new java.util.ArrayList<>();
        private final java.util.Map<Signal, sun.misc.SignalHandler> previous = new java.util.HashMap<>();

        SignalProxy() {
            for (String name : List.of("INT", "TERM", "HUP", "USR1", "USR2")) {
                try {
                    Signal sig = new Signal(name);
                    previous.put(sig, Signal.handle(sig, s -> deliver(s.getNumber())));
                } catch (IllegalArgumentException ignored) {
                    // the JVM reserves this signal here (e.g. under -Xrs)
                }
            }
        }

        /** Gives the signals back to whoever had them (the shell, when run is a shell command). */
        void restore() { previous.forEach(Signal::handle); }

        private synchronized void deliver(int sig) {
            if (pid > 0) Sys.signal(pid, sig); else pending.add(sig);
        }

        synchronized void forwardTo(int pid) {
            this.pid = pid;
            for (int sig : pending) Sys.signal(pid, sig);
            pending.clear();
        }
    }

    static int run(Engine engine, ContainerState c, java.io.PrintWriter err) {
        SignalProxy proxy = new SignalProxy();
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        Engine.Owned owned;
        try {
            owned = engine.start(c.id(), new LaunchSpec.Stdio(c.openStdin() ? 0 : devNull, 1, 2));
        } finally {
            Sys.close(devNull);
        }
        proxy.forwardTo(owned.process().pid);
        TtyAttach tty = c.tty() ? TtyAttach.attach(owned.ptyMaster(), c.openStdin()) : null;
        Engine.Exit exit;
        try {
            exit = engine.waitFor(owned);
        } finally {
            if (tty != null) tty.close();
            proxy.restore();
        }
        if (exit.oomKilled()) err.println("jbox: " + OomMessage.of(c.name(), exit.memoryLimit()));
        return exit.code();
    }
}
