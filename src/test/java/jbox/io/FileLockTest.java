package jbox.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class FileLockTest {
    @TempDir
    Path dir;

    @Test
    void threadsTakeTurnsAndNothingIsKeptOnceTheLastLetsGo() throws Exception {
        int threads = 8, rounds = 300;
        Path[] files = {dir.resolve("a/lock"), dir.resolve("b/lock")};
        int[] counters = new int[files.length];
        CyclicBarrier together = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    together.await();
                    for (int r = 0; r < rounds; r++) {
                        int f = r % files.length;
                        try (FileLock outer = FileLock.acquire(files[f]); FileLock again = FileLock.acquire(files[f])) {
                            int seen = counters[f]; // a read, a pause and a write: two holders at once would lose counts
                            Thread.yield();
                            counters[f] = seen + 1;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * rounds / 2, counters[0]);
        assertEquals(threads * rounds / 2, counters[1]);
        for (Path f : files) assertFalse(FileLock.inUse(f), f + " is still tracked after every holder closed it");
    }

    @Test
    void aLockInARemovedDirectoryFailsAndIsNotKept() {
        Path gone = dir.resolve("removed/lock");
        assertThrows(NoSuchFileException.class, () -> FileLock.acquire(gone, false));
        assertFalse(FileLock.inUse(gone));
    }
}
