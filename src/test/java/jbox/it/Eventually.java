package jbox.it;

import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting for what a daemon does in the background: a condition checked every 50 ms for up to 15 s. */
final class Eventually {
    private Eventually() {}

    static void waitFor(Callable<Boolean> check, String what) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (check.call()) return;
            Thread.sleep(50);
        }
        if (!check.call()) fail("timed out waiting for " + what);
    }
}
