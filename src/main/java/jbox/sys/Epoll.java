package jbox.sys;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An epoll(7) set, level-triggered: waits for input on any number of fds at once and reports
 * each ready one by the token it was added with. One thread waits on it; others may add and
 * remove fds meanwhile (the kernel allows that, and a wait in progress sees what is added).
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLLIN = 0x1;
    // struct epoll_event is packed on x86_64 only: {u32 events; u64 data} is 12 bytes there, 16 elsewhere
    private static final boolean PACKED = System.getProperty("os.arch").matches("amd64|x86_64");
    private static final int EVENT_SIZE = PACKED ? 12 : 16, DATA_AT = PACKED ? 4 : 8;

    private final int epfd;
    private final Pointer events;
    private final int maxEvents;

    /** maxEvents: how many ready fds one {@link #await} reports at most (the rest come with the next). */
    public Epoll(int maxEvents) {
        int fd = Sys.c().epoll_create1(Linux.O_CLOEXEC);
        if (fd < 0) throw new SyscallException("epoll_create1", "EPOLL_CLOEXEC", Sys.errno());
        this.epfd = fd;
        this.maxEvents = maxEvents;
        this.events = Memory.allocateDirect(Sys.runtime(), (long) EVENT_SIZE * maxEvents);
    }

    /** Watches fd for input (a hang-up and an error are reported too). */
    public void add(int fd, long token) {
        Pointer e = Memory.allocateDirect(Sys.runtime(), EVENT_SIZE);
        e.putInt(0, EPOLLIN);
        e.putLong(DATA_AT, token);
        if (Sys.c().epoll_ctl(epfd, EPOLL_CTL_ADD, fd, e) < 0) throw new SyscallException("epoll_ctl", "ADD, " + fd, Sys.errno());
    }

    /**
     * Stops watching fd. Needed before closing it whenever the file may be open elsewhere too (a
     * dup, a child): the set watches the open file, not the number, and would report it still.
     */
    public void remove(int fd) {
        if (Sys.c().epoll_ctl(epfd, EPOLL_CTL_DEL, fd, null) < 0) throw new SyscallException("epoll_ctl", "DEL, " + fd, Sys.errno());
    }

    /** Waits up to timeoutMillis (-1: no limit) and returns the tokens of the fds that are ready; none on timeout. */
    public long[] await(int timeoutMillis) {
        while (true) {
            int n = Sys.c().epoll_wait(epfd, events, maxEvents, timeoutMillis);
            if (n >= 0) {
                long[] tokens = new long[n];
                for (int i = 0; i < n; i++) tokens[i] = events.getLong((long) EVENT_SIZE * i + DATA_AT);
                return tokens;
            }
            int e = Sys.errno();
            if (e != Errnos.EINTR) throw new SyscallException("epoll_wait", String.valueOf(epfd), e);
        }
    }

    @Override
    public void close() { Sys.close(epfd); }
}
