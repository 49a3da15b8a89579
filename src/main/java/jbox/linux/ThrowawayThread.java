package jbox.linux;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Work that changes the calling thread's namespaces, root or credentials, done on a new thread of
 * its own: what it joins or drops dies with it, and the rest of the JVM never sees it.
 */
public final class ThrowawayThread {
    private static final long TIMEOUT_SECONDS = 30;

    private ThrowawayThread() {}

    /** Runs work on a new thread, waits for it (30 s at most) and returns its result, or throws what it threw. */
    public static <T> T call(String name, Callable<T> work) {
        return await(name, start(name, work));
    }

    /** Starts work on a new thread; {@link #await} its result (the caller meanwhile does what the work waits for). */
    public static <T> CompletableFuture<T> start(String name, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Waits (30 s at most) for work started by {@link #start} and returns its result, or throws what it threw. */
    public static <T> T await(String name, CompletableFuture<T> work) {
        try {
            return work.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " did not finish within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }
}
