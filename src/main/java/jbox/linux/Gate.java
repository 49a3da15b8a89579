package jbox.linux;

import jbox.sys.Processes;

import jbox.sys.Errnos;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static jbox.sys.Linux.*;

/**
 * The create/start gate: a FIFO the container's first process opens for reading as its first
 * file action. That open blocks until someone opens the FIFO for writing, so between spawn and
 * start the process exists (it has a pid, a cgroup, a /proc) but has not exec'd the user's program.
 * Any process may release it, so `jbox start` in another invocation works too.
 */
public final class Gate {
    public static final String NAME = "gate";

    private Gate() {}

    /** Creates the FIFO and returns an O_PATH descriptor of its directory for the child's fchdir. */
    public static int create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path fifo = dir.resolve(NAME);
        Files.deleteIfExists(fifo);
        Sys.mkfifo(fifo.toString(), 0600);
        return Sys.open(dir.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }

    /**
     * Releases the waiting process {@code pid}. The process may not have reached its open() yet
     * (ENXIO: no reader), so retry while it is alive; fail once it is gone.
     */
    public static void open(Path dir, int pid) {
        String fifo = dir.resolve(NAME).toString();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                Sys.close(Sys.open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0));
                return;
            } catch (SyscallException e) {
                boolean notYet = e.errno() == Errnos.ENXIO && Processes.isAlive(pid);
                if (!notYet || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the container's first process (pid " + pid
                            + ") is no longer waiting to start: it was killed, or already started");
                }
            }
            Thread.onSpinWait();
        }
    }

    public static void remove(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(NAME));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
