package jbox.engine;

import jbox.cgroup.Cgroup;
import jbox.io.AtomicFiles;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What a removed container leaves once its record is out of sight (StateStore.retire): its cgroup,
 * with anything still in it, and its files, removed by one thread of their own, in order. A run
 * --rm returns as soon as its container's exit is recorded, and the next container starts while the
 * last one's directories go (about a fifth of a start-to-exit cycle here).
 *
 * <p>Nothing is lost if the process dies first: the record's directory, renamed .trash-OWNER-ID,
 * holds its last state, from which Housekeeping's sweep removes both once the owner is gone. A
 * process waits for its removals before it ends (Exit.atExit), so a command leaves nothing behind.
 */
final class Removals {
    /** One thread when there is work, none after a quiet spell: the daemon stays small. */
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "jbox-removals");
        t.setDaemon(true);
        return t;
    });

    Removals() {
        jbox.sys.Exit.atExit(this::drain);
    }

    /**
     * Removes cgroup (if any) and then the retired directory trash, for a caller that waits and
     * reports a failure itself (rm). A failure leaves the directory for the sweep to try again.
     */
    CompletableFuture<Void> remove(Cgroup cgroup, Path trash) {
        return CompletableFuture.runAsync(() -> {
            try {
                if (cgroup != null) cgroup.destroy();
                AtomicFiles.deleteTree(trash);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, worker);
    }

    /** As {@link #remove}, for a caller that goes on: a failure is said on stderr (a command's error output, the daemon's log). */
    void removeLater(String container, Cgroup cgroup, Path trash) {
        remove(cgroup, trash).whenComplete((done, e) -> {
            if (e != null) System.err.println(jbox.text.Say.t("removal.unfinished", container, e.getCause().getMessage()));
        });
    }

    /** Waits for every removal asked for so far. */
    void drain() {
        try {
            CompletableFuture.runAsync(() -> { }, worker).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println(jbox.text.Say.t("removal.slow"));
        }
    }
}
