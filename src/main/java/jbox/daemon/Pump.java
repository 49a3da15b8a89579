package jbox.daemon;

import jbox.sys.Sys;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Moves a process's output from its fds to whoever listens (the log, attached clients) until the
 * process has ended and its output is drained. One thread, one poll over the output fds and a
 * pidfd, so a container whose stdout stays open in a child still ends when its first process does.
 */
final class Pump {
    /** Receives output; write is called on the pump thread. */
    interface Sink {
        void write(int stream, byte[] data, int len) throws IOException;

        /** All output has been delivered. */
        default void end() { }
    }

    private final int[] fds;
    private final int[] streams;
    private final int pidfd;
    final List<Sink> sinks = new CopyOnWriteArrayList<>();

    /** @param streams StreamFrames.STDOUT or STDERR for each fd; fds must be non-blocking */
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
            while (!exited) {
                boolean[] ready = Sys.pollIn(all, -1);
                for (int i = 0; i < fds.length; i++) {
                    if (ready[i] && open[i]) open[i] = drain(i, buf);
                    if (!open[i]) all[i] = -1; // poll skips it; a hung-up fd would wake it forever
                }
                exited = ready[fds.length];
            }
            for (int i = 0; i < fds.length; i++) if (open[i]) drain(i, buf);
        } finally {
            for (int fd : fds) Sys.close(fd);
            Sys.close(pidfd);
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
