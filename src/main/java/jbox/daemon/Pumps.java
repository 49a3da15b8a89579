package jbox.daemon;

import jbox.sys.Epoll;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that runs every {@link Pump} of this jbox process (the daemon's, a monitor's,
 * a CLI's): one epoll set over all their fds, so an idle container costs its descriptors and no
 * thread. What follows a process's end (its exit status, recording it, telling the clients) may
 * block, so it runs on a pool thread that lives only while such work comes.
 */
final class Pumps {
    private static final int TOKENS_PER_PUMP = 1 << 8; // a pump's fds and pidfd, well under 256

    private static volatile Pumps shared;

    private record Running(Pump pump, Runnable afterEnd) {}

    private final Epoll epoll = new Epoll(256);
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final AtomicLong serial = new AtomicLong();
    private final ExecutorService afterEnds = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> thread(r, "jbox-exit"));
    private final byte[] buf = new byte[64 * 1024];

    private Pumps() {
        thread(this::loop, "jbox-pumps").start();
    }

    /** Pumps until the process has ended and its output is drained; then runs afterEnd on another thread. */
    static void start(Pump pump, Runnable afterEnd) {
        Pumps p = shared;
        if (p == null) {
            synchronized (Pumps.class) {
                if (shared == null) shared = new Pumps();
                p = shared;
            }
        }
        p.add(pump, afterEnd);
    }

    private void add(Pump pump, Runnable afterEnd) {
        long id = serial.incrementAndGet();
        synchronized (pump) { // the pumps' thread may see its first fd ready before the last is watched
            running.put(id, new Running(pump, afterEnd));
            pump.watch(epoll, id * TOKENS_PER_PUMP);
        }
    }

    private void loop() {
        while (true) {
            Map<Long, Boolean> turn = new LinkedHashMap<>(); // pumps seen this turn: all read?
            for (long token : epoll.await(-1)) {
                long id = token / TOKENS_PER_PUMP;
                Running r = running.get(id);
                if (r == null) continue; // ended earlier in this turn
                try {
                    synchronized (r.pump) {
                        boolean allRead = r.pump.ready(epoll, (int) (token % TOKENS_PER_PUMP), buf);
                        turn.merge(id, allRead, Boolean::logicalAnd);
                    }
                } catch (RuntimeException e) {
                    fail(id, r, e);
                }
            }
            List<Long> ended = new ArrayList<>();
            turn.forEach((id, allRead) -> {
                Running r = running.get(id);
                if (r == null) return;
                try {
                    synchronized (r.pump) {
                        if (r.pump.finished()) {
                            r.pump.finish(epoll, buf);
                            ended.add(id);
                        } else if (allRead) {
                            r.pump.idle();
                        }
                    }
                } catch (RuntimeException e) {
                    fail(id, r, e);
                }
            });
            for (long id : ended) {
                Running r = running.remove(id);
                afterEnds.execute(r.afterEnd);
            }
        }
    }

    /** A pump that failed (a read the kernel refused) ends as if its process had: its exit is still recorded. */
    private void fail(long id, Running r, RuntimeException e) {
        if (running.remove(id, r)) {
            System.err.println(jbox.text.Say.t("output.lost", e.getMessage()));
            r.pump.abandon(epoll);
            afterEnds.execute(r.afterEnd);
        }
    }

    /**
     * Threads of their own making: a thread inherits its creator's inheritable thread-locals (a
     * shell's system-call trace), and these serve every container from the first one on.
     */
    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 0, false);
        t.setDaemon(true);
        return t;
    }
}
