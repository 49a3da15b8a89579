package jbox.linux;

import jbox.sys.Processes;

import jbox.sys.Sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

import static jbox.sys.Linux.*;

/**
 * The create/start gate: a FIFO the container's first process opens for writing, close-on-exec,
 * as its last file action but the terminal and the working directory (runc's exec.fifo works so).
 * That open blocks until someone opens the FIFO for reading, so between spawn and start the process
 * exists (it has a pid, a cgroup, a /proc) but has not exec'd the user's program. Any process may
 * release it, so `jbox start` in another invocation works too; and since the descriptor closes
 * exactly when the program is exec'd, the releaser sees the end of the FIFO at that moment.
 */
public final class Gate {
    public static final String NAME = "gate";
    /** How the waiting process opens the FIFO: writing, so the opener reads; closed by execve. */
    public static final int CHILD_FLAGS = O_WRONLY | O_CLOEXEC;

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
     * Releases the waiting process {@code pid} and returns once it has exec'd its program or died:
     * the FIFO's other end then closes. The process may not have reached its open() yet; the
     * reader waits for it while it is alive.
     */
    public static void release(Path dir, int pid, long startTime) {
        int fd = Sys.open(dir.resolve(NAME).toString(), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            byte[] buf = new byte[16];
            while (true) {
                // A FIFO reports hang-up only once a writer came and went: until the process opens its end, poll waits.
                if (Sys.pollIn(fd, 100)) {
                    if (Sys.read(fd, buf) == 0) return;
                    continue;
                }
                if (!Processes.isSame(pid, startTime)) return;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the container's first process (pid " + pid + ") did not start its program within 30 s");
                }
            }
        } finally {
            Sys.close(fd);
        }
    }

    /**
     * The process that a thread's pending spawn made, waiting at its gate: the spawn (CLONE_VFORK) has
     * not returned, so it is found among the thread's children that were not there {@code before}.
     * 0 when the spawn ended first (it failed, or returned on its own). tid may still be 0: the thread
     * has not said who it is yet.
     */
    public static int awaitChild(IntSupplier tid, Set<Integer> before, BooleanSupplier spawnEnded) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (spawnEnded.getAsBoolean()) return 0;
            int t = tid.getAsInt();
            if (t > 0) {
                try {
                    for (int pid : Processes.childrenOfThread(t)) if (!before.contains(pid)) return pid;
                } catch (IOException e) {
                    // A thread that has ended (its spawn returned: the next round sees so) has no children file to read.
                    if (Files.isDirectory(Path.of("/proc/self/task/" + t))) {
                        throw new IllegalStateException(e instanceof NoSuchFileException
                                ? "this kernel has no /proc/self/task/TID/children (CONFIG_PROC_CHILDREN), which jbox needs to find a process at its start gate"
                                : "cannot read /proc/self/task/" + t + "/children: " + e.getMessage(), e);
                    }
                }
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("the new process did not appear at its start gate within 30 s");
    }

    /**
     * Admits the process a thread's pending spawn made ({@link #awaitChild}): moveIn places it (into
     * its cgroup), and only then is it released to run its program. If moveIn fails the process is
     * killed and reaped instead, never released (so it never ran outside its limits), and the failure
     * rethrown; the spawn then returns on its own. Returns its pid, or 0 when the spawn ended first.
     */
    public static int admit(Path dir, IntSupplier tid, Set<Integer> before, BooleanSupplier spawnEnded, IntConsumer moveIn) {
        int child = awaitChild(tid, before, spawnEnded);
        return child == 0 ? 0 : admit(dir, child, moveIn);
    }

    /** The same for a child already known (one whose spawn returned while it waits: jbox-ns enter). */
    public static int admit(Path dir, int child, IntConsumer moveIn) {
        long startTime = Processes.startTime(child);
        try {
            moveIn.accept(child);
        } catch (RuntimeException e) {
            Sys.signal(child, SIGKILL);
            try {
                Sys.waitpid(child); // any thread of this process may reap a child of the spawning one
            } catch (jbox.sys.SyscallException reaped) {
                // ECHILD: reaped already by whoever waits for any child
            }
            throw e;
        }
        release(dir, child, startTime);
        return child;
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
