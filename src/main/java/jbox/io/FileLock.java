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
    private static final ConcurrentHashMap<Path, ReentrantLock> THREADS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(ReentrantLock local, FileChannel channel, java.nio.channels.FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    public static FileLock acquire(Path file) throws IOException { return acquire(file, true); }

    /** @param createDirs false: NoSuchFileException when the file's directory is gone (a removed container) */
    public static FileLock acquire(Path file, boolean createDirs) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock local = THREADS.computeIfAbsent(key, k -> new ReentrantLock());
        local.lock();
        if (local.getHoldCount() > 1) return new FileLock(local, null, null); // this thread holds the file lock already
        try {
            if (createDirs) Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new FileLock(local, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
                channel.close();
            }
        } finally {
            local.unlock();
        }
    }
}
