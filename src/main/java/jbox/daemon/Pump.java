package jbox.daemon;

import jbox.sys.Sys;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Moves a process's output from its fds to whoever listens (the log, attached clients) until the
 * process has ended and its output is drained. One thread, one poll over the output fds and,
 * where output can outlive the process, a pidfd: an exec's child or a container sharing another
 * pid namespace may keep stdout open after the first process ended. A container with a pid
 * namespace of its own needs none: when its first process ends the kernel ends every other, and
 * the last close of its output is its end, so an idle container costs the daemon its two FIFOs.
 */
final class Pump {
    /** Receives output; write is called on the pump thread. */
    interface Sink {
        void write(int stream, byte[] data, int len) throws IOException;

        /** Nothing more to read for now: a sink may let go of what it holds open (the log file). */
        default void idle() { }

        /** All output has been delivered. */
        default void end() { }
    }

    private final int[] fds;
    private final int[] streams;
    private final int pidfd;
    final List<Sink> sinks = new CopyOnWriteArrayList<>();

    /** @param streams StreamFrames.STDOUT or STDERR for each fd; fds must be non-blocking; pidfd -1: ends when every fd is closed */
    Pump(int[] fds, int[] streams, int pidfd) {
        this.fds = fds;
        this.streams = streams;
        this.pidfd = pidfd;
    }

    /** Runs until the process ended and every fd is drained; then closes the fds. Call {@link #end} after. */
    void run() {
        byte[] buf = new byte[32 * 1024];
        int[] all = java.util.Arrays.copyOf(fds, fds.length + 1);
        all[fds.length] = pidfd;
        boolean[] open = new boolean[fds.length];
        java.util.Arrays.fill(open, true);
        try {
            boolean exited = false;
            int openCount = fds.length;
            while (!exited && (openCount > 0 || pidfd >= 0)) {
                boolean[] ready = Sys.pollIn(all, -1);
                for (int i = 0; i < fds.length; i++) {
                    if (ready[i] && open[i]) open[i] = drain(i, buf);
                    if (!open[i] && all[i] >= 0) {
                        all[i] = -1; // poll skips it; a hung-up fd would wake it forever
                        openCount--;
                    }
                }
                exited = pidfd >= 0 && ready[fds.length];
                for (Sink s : sinks) s.idle();
            }
            for (int i = 0; i < fds.length; i++) if (open[i]) drain(i, buf);
        } finally {
            for (int fd : fds) Sys.close(fd);
            if (pidfd >= 0) Sys.close(pidfd);
        }
    }

    /** Tells the sinks that all output is delivered (after the exit is known, so attached clients learn it next). */
    void end() {
        for (Sink s : sinks) s.end();
    }

    /** Reads what is there now; false at end of file. */
    private boolean drain(int i, byte[] buf) {
        while (true) {
            int n = Sys.read(fds[i], buf);
            if (n < 0) return true;
            if (n == 0) return false;
            for (Sink s : sinks) {
                try {
                    s.write(streams[i], buf, n);
                } catch (IOException e) {
                    sinks.remove(s); // an attached client went away; the others and the log go on
                }
            }
        }
    }
}
