package jbox.daemon;

import jbox.sys.Epoll;
import jbox.sys.Sys;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Moves one process's output from its fds to whoever listens (the log, attached clients) until
 * the process has ended and its output is drained; {@link Pumps} runs every pump on one thread.
 * Where output can outlive the process it also watches a pidfd: an exec's child or a container
 * sharing another pid namespace may keep stdout open after the first process ended. A container
 * with a pid namespace of its own needs none: when its first process ends the kernel ends every
 * other, and the last close of its output is its end, so an idle container costs its two FIFOs.
 */
final class Pump {
    /** Receives output; write is called on the pumps' thread and must not block (queue instead). */
    interface Sink {
        void write(int stream, byte[] data, int len) throws IOException;

        /** Nothing more to read for now: a sink may let go of what it holds open (the log file). */
        default void idle() { }

        /** All output has been delivered. */
        default void end() { }
    }

    /** Reads of one fd per turn, so a process that writes without pause cannot hold up the others. */
    private static final int READS_PER_TURN = 4;
    /** Reads of one fd once the process has ended: what is in the pipe, but not forever if a survivor keeps writing. */
    private static final int READS_AT_END = 32;

    private final int[] fds;
    private final int[] streams;
    private final int pidfd;
    final List<Sink> sinks = new CopyOnWriteArrayList<>();
    private final boolean[] open;
    private int openCount;
    private boolean exited;

    /** @param streams StreamFrames.STDOUT or STDERR for each fd; fds must be non-blocking; pidfd -1: ends when every fd is closed */
    Pump(int[] fds, int[] streams, int pidfd) {
        this.fds = fds;
        this.streams = streams;
        this.pidfd = pidfd;
        this.open = new boolean[fds.length];
        java.util.Arrays.fill(open, true);
        this.openCount = fds.length;
    }

    /** Watches every fd in epoll, fd i as token base + i and the pidfd as base + fds.length. */
    void watch(Epoll epoll, long base) {
        for (int i = 0; i < fds.length; i++) epoll.add(fds[i], base + i);
        if (pidfd >= 0) epoll.add(pidfd, base + fds.length);
    }

    /** Token i is ready: reads a turn's worth. False if it left output unread for the next turn. */
    boolean ready(Epoll epoll, int i, byte[] buf) {
        if (i == fds.length) {
            exited = true;
            return true;
        }
        if (!open[i]) return true;
        Left left = drain(i, buf, READS_PER_TURN);
        if (left == Left.END_OF_FILE) stopWatching(epoll, i);
        return left != Left.MORE;
    }

    /** Whether the process has ended and nothing more will come. */
    boolean finished() { return exited || pidfd < 0 && openCount == 0; }

    /** Reads what the ended process left in its fds, then stops watching and closes them. */
    void finish(Epoll epoll, byte[] buf) {
        for (int i = 0; i < fds.length; i++) {
            if (!open[i]) continue;
            drain(i, buf, READS_AT_END);
            stopWatching(epoll, i);
        }
        if (pidfd >= 0) {
            epoll.remove(pidfd);
            Sys.close(pidfd);
        }
    }

    /** Closes what is still open without reading it: the pump failed. */
    void abandon(Epoll epoll) {
        for (int i = 0; i < fds.length; i++) {
            if (!open[i]) continue;
            open[i] = false;
            try {
                epoll.remove(fds[i]);
            } catch (RuntimeException ignored) {
                // closing it below is what matters
            }
            Sys.close(fds[i]);
        }
        if (pidfd >= 0) Sys.close(pidfd);
    }

    void idle() {
        for (Sink s : sinks) s.idle();
    }

    /** Tells the sinks that all output is delivered (after the exit is known, so attached clients learn it next). */
    void end() {
        for (Sink s : sinks) s.end();
    }

    private void stopWatching(Epoll epoll, int i) {
        open[i] = false;
        openCount--;
        epoll.remove(fds[i]); // a terminal's master has a dup (the container's stdin): closing alone would not do
        Sys.close(fds[i]);
    }

    private enum Left { MORE, NOTHING_NOW, END_OF_FILE }

    /** Reads up to reads times and says what is left in fd i. */
    private Left drain(int i, byte[] buf, int reads) {
        for (int r = 0; r < reads; r++) {
            int n = Sys.read(fds[i], buf);
            if (n < 0) return Left.NOTHING_NOW;
            if (n == 0) return Left.END_OF_FILE;
            for (Sink s : sinks) {
                try {
                    s.write(streams[i], buf, n);
                } catch (IOException e) {
                    sinks.remove(s); // an attached client went away; the others and the log go on
                }
            }
        }
        return Left.MORE;
    }
}
