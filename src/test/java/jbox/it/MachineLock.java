package jbox.it;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The test classes' share of the machine, across the JVMs surefire runs side by side: a class
 * takes it shared, as learners' jboxes share a machine; a class tagged "exclusive" (it measures CPU
 * shares, time or load) takes it alone, once the classes running now have let go. A turnstile
 * (a second lock file) makes classes that come later wait behind it, so it is not starved.
 */
final class MachineLock implements AutoCloseable {
    private static final Path FILE = Jbox.HOME.resolve("target/.test-machine.lock");
    private static final Path TURNSTILE = Jbox.HOME.resolve("target/.test-machine.turnstile");

    private final FileChannel channel;
    private final FileLock lock;
    private final FileChannel turnstile;

    private MachineLock(FileChannel channel, FileLock lock, FileChannel turnstile) {
        this.channel = channel;
        this.lock = lock;
        this.turnstile = turnstile;
    }

    static MachineLock take(Class<?> testClass) throws IOException {
        boolean alone = false;
        for (Class<?> c = testClass; c != null && !alone; c = c.getSuperclass()) {
            for (org.junit.jupiter.api.Tag t : c.getAnnotationsByType(org.junit.jupiter.api.Tag.class)) alone |= t.value().equals("exclusive");
        }
        FileChannel gate = FileChannel.open(TURNSTILE, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel ch = null;
        try {
            gate.lock(); // an exclusive class holds it while it waits and runs; a shared one passes through
            ch = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = ch.lock(0, Long.MAX_VALUE, !alone);
            if (!alone) {
                gate.close();
                gate = null;
            }
            return new MachineLock(ch, lock, gate);
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            if (gate != null) gate.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            if (turnstile != null) turnstile.close();
        }
    }
}
