package jbox.shell;

import jbox.sys.Linux;
import jbox.sys.Sys;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The one thread a sandbox owns. Namespaces belong to threads, so every step that changes one
 * (unshare, mount, pivot_root) and every spawn into them runs here and nowhere else. It never
 * starts a thread itself: after unshare(CLONE_NEWPID) it could not.
 */
final class NamespaceThread {
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile int tid;
    private volatile boolean stopped;

    NamespaceThread(String name) {
        CompletableFuture<Integer> started = new CompletableFuture<>();
        thread = new Thread(() -> {
            try {
                tid = Sys.gettid();
                Sys.unshare(Linux.CLONE_FS); // its own root and cwd, so pivot_root moves this thread only
                started.complete(tid);
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            while (!stopped) {
                try {
                    tasks.take().run();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        try {
            started.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("the sandbox thread could not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    int tid() { return tid; }

    /** Runs work on the thread and waits; each system call it makes is reported to trace, when given. */
    <T> T call(Callable<T> work, Consumer<String> trace) {
        return await(submit(work, trace));
    }

    /** Queues work on the thread and returns at once (a spawn that blocks the thread until its child execs). */
    <T> CompletableFuture<T> submit(Callable<T> work, Consumer<String> trace) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            Sys.trace(trace);
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                Sys.trace(null);
            }
        });
        return result;
    }

    /** The result of submitted work, its failure rethrown as call() does. */
    static <T> T await(CompletableFuture<T> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof java.io.IOException io) throw new java.io.UncheckedIOException(io);
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** Ends the thread: the namespaces only it held are freed by the kernel. */
    void stop() {
        stopped = true;
        tasks.add(() -> { });
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
