package jbox.sys;

/**
 * How a jbox process ends once its command has finished. The JVM's own exit waits up to 300 ms for
 * every thread still in a native call (HotSpot's VM_Exit), such as a spawn held at a container's
 * start gate (jbox-runc create leaves one) or a waitpid for a child that outlives the command; a
 * process that has loaded jbox's native bindings therefore ends with _exit(2) instead. Nothing is
 * lost: the command has flushed its output and undone what it changed (a raw terminal, a sandbox),
 * and the shutdown hooks, which do not run then, are for a jbox stopped by a signal.
 */
public final class Exit {
    /** Set when {@link Sys} loads: without it no thread of jbox's can be in one of its native calls. */
    static volatile boolean nativeLoaded;

    /** Work a process finishes before it ends, however it ends (a return, or a signal's shutdown). */
    private static final java.util.List<Runnable> FINISHERS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final java.util.concurrent.atomic.AtomicBoolean FINISHED = new java.util.concurrent.atomic.AtomicBoolean();

    private Exit() {}

    /**
     * Runs finish before this process ends: at {@link #now}, or in the JVM's shutdown when a signal
     * ends it. For work a command started in the background that must not be left half-done.
     */
    public static synchronized void atExit(Runnable finish) {
        if (FINISHERS.isEmpty()) Runtime.getRuntime().addShutdownHook(new Thread(Exit::finish, "jbox-finish"));
        FINISHERS.add(finish);
    }

    private static void finish() {
        if (!FINISHED.compareAndSet(false, true)) return;
        for (Runnable r : FINISHERS) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("jbox: " + e.getMessage());
            }
        }
    }

    public static void now(int code) {
        finish();
        if (nativeLoaded) Sys.exitNow(code);
        System.exit(code);
    }
}
