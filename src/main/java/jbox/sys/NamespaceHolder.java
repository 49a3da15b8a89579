package jbox.sys;

import java.util.List;

/**
 * A namespace a JVM thread cannot make, made by {@code jbox-ns hold KIND} (src/main/c/ns.c), a
 * single-threaded helper: started, prepared from outside (moved into a cgroup), told to unshare,
 * prepared again (its user namespace's maps written), opened, then closed, which ends and reaps it.
 * The namespace lives on in the descriptor that {@link #open} returned.
 */
public final class NamespaceHolder implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final String kind;
    private final int pid;
    private final int toHelper;
    private final int fromHelper;

    private NamespaceHolder(String kind, int pid, int toHelper, int fromHelper) {
        this.kind = kind;
        this.pid = pid;
        this.toHelper = toHelper;
        this.fromHelper = fromHelper;
    }

    /** Starts jbox-ns hold KIND (cgroup or user), waiting for the word to unshare. */
    public static NamespaceHolder start(String kind, String purpose) {
        String helper = NativeHelper.find("jbox-ns", purpose).toString();
        int[] to = Sys.pipe();
        int[] from = Sys.pipe();
        try (Spawn s = new Spawn(helper, List.of("jbox-ns", "hold", kind), List.of())) {
            int pid = s.dup2(to[0], 0).dup2(from[1], 1).closeFrom(3).spawn();
            return new NamespaceHolder(kind, pid, to[1], from[0]);
        } catch (RuntimeException e) {
            Sys.close(to[1]);
            Sys.close(from[0]);
            throw e;
        } finally {
            Sys.close(to[0]);
            Sys.close(from[1]);
        }
    }

    public int pid() { return pid; }

    /** Has it unshare; false if it could not (it says why on jbox's stderr). */
    public boolean unshare() {
        Sys.writeAll(toHelper, new byte[]{'1'}, 1);
        byte[] answer = new byte[1];
        return Sys.pollIn(fromHelper, TIMEOUT_MILLIS) && Sys.read(fromHelper, answer) == 1 && answer[0] == 'y';
    }

    /** /proc/PID/ns/KIND, opened here, in the host's view (a thread that joins it later may see another /proc). */
    public int open() { return Sys.open("/proc/" + pid + "/ns/" + kind, Linux.O_RDONLY | Linux.O_CLOEXEC, 0); }

    /**
     * Ends the helper and reaps it: it exits when its stdin closes, whether it unshared or not, so it
     * is never signalled (a daemon's reaper may have reaped it already, and its pid be another's).
     */
    @Override
    public void close() {
        Sys.close(toHelper);
        Sys.close(fromHelper);
        try {
            Sys.waitpid(pid);
        } catch (SyscallException e) {
            if (e.errno() != Errnos.ECHILD) throw e; // reaped already, by a runtime's reaper of its children
        }
    }
}
