package jbox.linux;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Work that changes the calling thread's namespaces, root or credentials, done on a new thread of
 * its own: what it joins or drops dies with it, and the rest of the JVM never sees it.
 */
public final class ThrowawayThread {
    private static final long TIMEOUT_SECONDS = 30;

    private ThrowawayThread() {}

    /** Runs work on a new thread, waits for it (30 s at most) and returns its result, or throws what it threw. */
    public static <T> T call(String name, Callable<T> work) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = work.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name);
        t.setDaemon(true);
        t.start();
        try {
            t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        if (t.isAlive()) throw new IllegalStateException(name + " did not finish within " + TIMEOUT_SECONDS + " s");
        if (failure[0] instanceof RuntimeException r) throw r;
        if (failure[0] instanceof Error e) throw e;
        if (failure[0] != null) throw new IllegalStateException(failure[0].getMessage(), failure[0]);
        @SuppressWarnings("unchecked") T t2 = (T) result[0];
        return t2;
    }
}
