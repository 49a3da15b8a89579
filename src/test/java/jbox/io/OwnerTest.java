package jbox.io;

import jbox.sys.Processes;
import jbox.sys.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class OwnerTest {
    /** An owner that cannot be running: pid 1 never started at this clock tick. */
    private static final String DEAD = "1.999999999999";

    @TempDir
    Path parent;

    @Test
    void aDirectoryAppearsWithItsOwnerAndIsKeptWhileItLives() throws Exception {
        Path d = Owner.create(parent.resolve("x-a"));
        assertTrue(Owner.isAlive(d));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> Owner.create(d));
        assertEquals(List.of(), Owner.sweep(parent, "x-", null));
        assertTrue(Files.isDirectory(d));
        try (var s = Files.list(parent)) {
            assertEquals(List.of(d), s.toList(), "no staging directory is left");
        }
    }

    @Test
    void deadOwnersDirectoriesAreReapedByTheirNameEvenHalfMadeOrHalfSwept() throws Exception {
        Path dead = Files.createDirectory(parent.resolve("x-dead"));
        Files.writeString(dead.resolve("owner"), DEAD.replace('.', ' '));
        Files.createDirectory(parent.resolve("x-making.claim." + DEAD)); // killed before its owner file
        Files.createDirectory(parent.resolve("x-sweeping.gone." + DEAD)); // killed while sweeping
        Files.createDirectory(parent.resolve("x-noowner"));
        String me = Sys.getpid() + "." + Processes.startTime(Sys.getpid());
        Path beingMade = Files.createDirectory(parent.resolve("x-mine.claim." + me));
        Path other = Files.createDirectory(parent.resolve("y-dead"));

        List<String> reapedWith = new ArrayList<>();
        List<String> reaped = Owner.sweep(parent, "x-", (name, dir) -> reapedWith.add(name));

        assertEquals(List.of("x-dead", "x-making", "x-noowner", "x-sweeping"), reaped.stream().sorted().toList());
        assertEquals(List.of("x-dead", "x-noowner", "x-sweeping"), reapedWith.stream().sorted().toList(),
                "the reaper cleans up after directories that were made, by their real name");
        try (var s = Files.list(parent)) {
            assertEquals(List.of(beingMade, other), s.sorted().toList(), "one being made by a live process, and other prefixes, stay");
        }
    }

    @Test
    void manyProcessesMakingAndSweepingSideBySideNeverSeeAHalfMadeDirectory() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(pool.submit(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        Path d = Owner.createTemp(parent, "x-");
                        Owner.sweep(parent, "x-", (name, dir) -> fail("nothing here is abandoned: " + name));
                        assertTrue(Files.isRegularFile(d.resolve("owner")), "a sweep beside it left " + d + " whole");
                        Owner.delete(d);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
                return null;
            }));
        }
        for (Future<?> f : all) f.get();
        pool.shutdown();
        assertEquals(List.of(), List.copyOf(errors));
    }
}
