package jbox.it;

import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waiting for what runs in the background (a daemon, a container, a terminal): a condition
 * checked every 50 ms, and a failure naming it when it does not come true in time.
 */
public final class Eventually {
    private Eventually() {}

    /** Up to a minute: it returns as soon as the condition holds, and a busy machine (the suite's other classes, a class of learners) is slow. */
    public static void waitFor(Callable<Boolean> check, String what) throws Exception { waitFor(60_000, check, what); }

    public static void waitFor(long millis, Callable<Boolean> check, String what) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (check.call()) return;
            Thread.sleep(50);
        }
        if (!check.call()) fail("timed out after " + millis / 1000.0 + " s waiting for " + what);
    }

    /** Waits until value reads the same twice, 200 ms apart (a count of descriptors settling), and returns it. */
    public static <T> T settled(Callable<T> value, String what) throws Exception {
        T before = value.call();
        for (int i = 0; i < 75; i++) {
            Thread.sleep(200);
            T now = value.call();
            if (now.equals(before)) return now;
            before = now;
        }
        fail("timed out waiting for " + what + " to settle (last " + before + ")");
        return before;
    }
}
