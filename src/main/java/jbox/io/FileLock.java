package jbox.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on one file, between jbox processes (a file lock, released on close or
 * death) and between threads of one process (a file lock is held by the whole JVM, so threads
 * first queue on an in-process lock; the daemon serves many requests at once). Re-entrant.
 */
public final class FileLock implements AutoCloseable {
    /**
     * The in-process lock of each file some thread holds or waits for. An entry goes when its last
     * user does: every container has a lock file, and a daemon that kept them all grew with every run.
     */
    private static final ConcurrentHashMap<Path, Local> THREADS = new ConcurrentHashMap<>();

    private static final class Local {
        final ReentrantLock lock = new ReentrantLock();
        int users; // holds and waits, counted only inside THREADS.compute
    }

    private final Path key;
    private final Local local;
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(Path key, Local local, FileChannel channel, java.nio.channels.FileLock lock) {
        this.key = key;
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    public static FileLock acquire(Path file) throws IOException { return acquire(file, true); }

    /** @param createDirs false: NoSuchFileException when the file's directory is gone (a removed container) */
    public static FileLock acquire(Path file, boolean createDirs) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        Local local = THREADS.compute(key, (k, l) -> {
            Local use = l == null ? new Local() : l;
            use.users++;
            return use;
        });
        local.lock.lock();
        if (local.lock.getHoldCount() > 1) return new FileLock(key, local, null, null); // this thread holds the file lock already
        try {
            if (createDirs) Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new FileLock(key, local, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            unlock(key, local);
            throw e;
        }
    }

    /** Whether a thread of this process holds or waits for the lock of file. */
    static boolean inUse(Path file) { return THREADS.containsKey(file.toAbsolutePath().normalize()); }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
                channel.close();
            }
        } finally {
            unlock(key, local);
        }
    }

    private static void unlock(Path key, Local local) {
        local.lock.unlock();
        THREADS.compute(key, (k, l) -> --l.users == 0 ? null : l);
    }
}
