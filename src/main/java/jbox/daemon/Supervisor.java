package jbox.daemon;

import jbox.engine.Lifecycle;

import jbox.api.StreamFrames;
import jbox.engine.Engine;
import jbox.engine.Errors;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.runtime.NoSuchContainerException;
import jbox.sys.Processes;
import jbox.linux.Pty;
import jbox.sys.Errnos;
import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The parent of the containers one jbox process starts: it gives each container its stdio,
 * copies the output to the container's log and to attached clients, and records the exit.
 *
 * <p>Output goes through two FIFOs in the container's directory (stdout.pipe, stderr.pipe).
 * The container's end is opened read-write, so the pipe always has a reader: if the daemon is
 * killed, the container's writes wait in the pipe (and block when it is full) instead of
 * killing it with SIGPIPE, and the next daemon opens the FIFOs again and goes on logging.
 */
public final class Supervisor {
    private static final String[] FIFOS = {"stdout.pipe", "stderr.pipe"};

    private final Engine engine;
    /** Starts a container nobody in this process is attached to (jbox without a daemon), or null to own it here. */
    private final Consumer<String> startDetached;
    private final Map<String, Io> ios = new ConcurrentHashMap<>();

    public Supervisor(Engine engine, Consumer<String> startDetached) {
        this.engine = engine;
        this.startDetached = startDetached;
    }

    public Engine engine() { return engine; }

    /** What this process knows of one container's stdio. */
    final class Io {
        final String id;
        final List<Pump.Sink> attached = new CopyOnWriteArrayList<>();
        private int stdin = -1;
        private boolean stdinClosedByClient;
        volatile Integer exitCode;
        volatile Lifecycle.Exit exit;
        private int starts;
        private Pump pump;
        private boolean ended;

        Io(String id) { this.id = id; }

        /** Input for the container; waits for its start when a client attached before it. False once it cannot take more. */
        synchronized boolean writeStdin(byte[] b, int len) {
            try {
                while (stdin < 0 && !ended && !stdinClosedByClient) wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return stdin >= 0 && Sys.writeAll(stdin, b, len);
        }

        synchronized void closeStdin() {
            stdinClosedByClient = true;
            if (stdin >= 0) Sys.close(stdin);
            stdin = -1;
        }

        synchronized void setStdin(int fd) {
            if (stdin >= 0) Sys.close(stdin);
            stdin = stdinClosedByClient ? -1 : fd;
            if (stdinClosedByClient && fd >= 0) Sys.close(fd);
        }

        synchronized void changed() {
            notifyAll();
        }

        synchronized void await(long millis) throws InterruptedException {
            wait(millis);
        }
    }

    Io io(String id) { return ios.computeIfAbsent(id, Io::new); }

    /** docker start: starts the container with this process (or a monitor) as its parent. */
    public void start(String nameOrId) { start(nameOrId, true); }

    /** byUser false: a restart by the container's restart policy (see Engine.start). */
    public void start(String nameOrId, boolean byUser) {
        ContainerState c = engine.lifecycle().inspect(nameOrId);
        Io io = io(c.id());
        if (startDetached != null && io.attached.isEmpty()) {
            startDetached.accept(c.id());
            return;
        }
        Path dir = engine.containers().dirOf(c.id());
        int[] read = new int[0];
        int[] containerSide = new int[0];
        int in = -1;
        int stdinOurs = -1;
        try {
            if (!c.tty()) {
                containerSide = new int[2];
                for (int i = 0; i < 2; i++) ensureFifo(dir.resolve(FIFOS[i]));
                read = openOutput(dir);
                for (int i = 0; i < 2; i++) containerSide[i] = Sys.open(dir.resolve(FIFOS[i]).toString(), Linux.O_RDWR | Linux.O_CLOEXEC, 0);
            }
            if (c.openStdin() && !c.tty()) {
                int[] p = Sys.pipe();
                in = p[0];
                stdinOurs = p[1];
            } else {
                in = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            }
            Lifecycle.Owned owned = engine.lifecycle().start(c.id(), c.tty() ? new LaunchSpec.Stdio(in, in, in)
                    : new LaunchSpec.Stdio(in, containerSide[0], containerSide[1]), byUser);
            int pidfd = outputEndsWithIt(c) ? -1 : Sys.pidfdOpenQuiet(owned.pid());
            Pump pump;
            if (c.tty()) {
                int master = owned.ptyMaster();
                Sys.setNonBlocking(master);
                io.setStdin(c.openStdin() ? Sys.dup(master) : -1);
                pump = new Pump(new int[]{master}, new int[]{StreamFrames.STDOUT}, pidfd);
                ptys.put(c.id(), master);
            } else {
                io.setStdin(stdinOurs);
                stdinOurs = -1;
                pump = new Pump(read, new int[]{StreamFrames.STDOUT, StreamFrames.STDERR}, pidfd);
                read = new int[0];
            }
            if (c.logging().keepsLogs()) pump.sinks.add(logSink(dir, c.logging()));
            synchronized (io) {
                pump.sinks.addAll(io.attached);
                io.attached.clear();
                io.pump = pump;
                io.ended = false;
                io.exit = null;
                io.exitCode = null;
                io.starts++;
                io.notifyAll();
            }
            String id = c.id(); // the callback keeps only the id: the state would stay alive as long as the container
            Pumps.start(pump, () -> {
                ptys.remove(id);
                synchronized (io) {
                    io.ended = true;
                    io.pump = null;
                }
                io.setStdin(-1);
                try {
                    Lifecycle.Exit exit = engine.lifecycle().waitFor(owned);
                    io.exit = exit;
                    io.exitCode = exit.code();
                    onExit.accept(id, exit.code());
                } catch (RuntimeException e) {
                    io.exitCode = 255; // its exit could not be recorded; waiters must not wait forever
                    throw e;
                } finally {
                    pump.end();
                    io.changed();
                }
                forgetLater(io);
            });
            onStart.accept(c.id());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot set up the output of container " + c.name());
        } finally {
            for (int fd : read) Sys.close(fd);
            for (int fd : containerSide) Sys.close(fd);
            if (in >= 0) Sys.close(in);
            if (stdinOurs >= 0) Sys.close(stdinOurs);
        }
    }

    private final Map<String, Integer> ptys = new ConcurrentHashMap<>();

    /**
     * Whether the container's output FIFOs close when its first process ends: true with a pid
     * namespace of its own (the kernel ends the rest with it), so its pump needs no pidfd. A
     * terminal's master does not report the end the same way; it keeps one.
     */
    private static boolean outputEndsWithIt(ContainerState c) {
        return !c.tty() && c.confined().pidMode().isEmpty();
    }

    /** Told of every exit of a container this supervisor started (the daemon's restart policies listen). */
    private volatile java.util.function.BiConsumer<String, Integer> onExit = (id, code) -> { };

    public void onExit(java.util.function.BiConsumer<String, Integer> listener) { this.onExit = listener; }

    /** Told of every start (the daemon's health checks listen). */
    private volatile Consumer<String> onStart = id -> { };

    public void onStart(Consumer<String> listener) { this.onStart = listener; }

    /** docker resize: the new terminal size, sent by clients attached with a tty. */
    public void resize(String id, int rows, int cols) {
        Integer master = ptys.get(id);
        if (master != null) Pty.resize(master, rows, cols);
    }

    /** Our ends of a container's stdout and stderr FIFOs, non-blocking, for its pump (at start, and again after a restart). */
    private static int[] openOutput(Path dir) {
        int[] read = new int[2];
        for (int i = 0; i < 2; i++) read[i] = Sys.open(dir.resolve(FIFOS[i]).toString(), Linux.O_RDONLY | Linux.O_NONBLOCK | Linux.O_CLOEXEC, 0);
        return read;
    }

    private static void ensureFifo(Path p) {
        try {
            Sys.mkfifo(p.toString(), 0600);
        } catch (SyscallException e) {
            if (e.errno() != Errnos.EEXIST) throw e;
        }
    }

    private static Pump.Sink logSink(Path dir, jbox.runtime.LogConfig config) throws IOException {
        JsonLog log = new JsonLog(dir, config);
        return new Pump.Sink() {
            @Override
            public void write(int stream, byte[] data, int len) throws IOException {
                log.append(StreamFrames.name(stream), data, len);
            }

            @Override
            public void idle() {
                try {
                    log.idle();
                } catch (IOException ignored) {
                    // closing a file written to cannot lose what was written
                }
            }

            @Override
            public void end() {
                try {
                    log.close();
                } catch (IOException ignored) {
                    // the disk refused the last line; nothing else to do
                }
            }
        };
    }

    private static final java.util.concurrent.ScheduledExecutorService LATER = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jbox-forget");
        t.setDaemon(true);
        return t;
    });

    /** The Io of a container that ended stays a minute, so late waiters still learn its exit code. */
    private void forgetLater(Io io) {
        LATER.schedule(() -> ios.remove(io.id, io), 60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * docker attach: output from the next start on (or from now, if running and owned here) goes
     * to sink; input from the client goes to the container's stdin.
     */
    public Io attach(String id, Pump.Sink sink) {
        Io io = io(id);
        synchronized (io) {
            if (io.pump != null) io.pump.sinks.add(sink); else io.attached.add(sink);
        }
        return io;
    }

    /** Whether this process holds the output of a running container (it started or adopted it). */
    public boolean holds(String id) {
        Io io = ios.get(id);
        if (io == null) return false;
        synchronized (io) {
            return io.pump != null;
        }
    }

    /** How long `docker wait` waits: until not running, until the next exit, or until removed. */
    public enum Condition {
        NOT_RUNNING, NEXT_EXIT, REMOVED;

        public static Condition parse(String s) {
            return switch (s == null || s.isEmpty() ? "not-running" : s) {
                case "not-running" -> NOT_RUNNING;
                case "next-exit" -> NEXT_EXIT;
                case "removed" -> REMOVED;
                default -> throw jbox.api.ApiErrors.badRequest("invalid condition: \"" + s + "\" (use not-running, next-exit or removed)");
            };
        }
    }

    /**
     * A wait begun now: what the container looks like at this moment is the baseline, so an
     * exit that happens before {@link Waiter#await} is called still counts as the next exit.
     */
    public Waiter waiter(String nameOrId, Condition condition) { return new Waiter(engine.lifecycle().inspect(nameOrId), condition); }

    public final class Waiter {
        private final ContainerState first;
        private final Condition condition;
        private final Io io;
        private final int startsBefore;

        Waiter(ContainerState first, Condition condition) {
            this.first = first;
            this.condition = condition;
            this.io = io(first.id());
            synchronized (io) {
                this.startsBefore = io.starts;
            }
        }

        /** How it ended, as far as this process saw it: the OOM killer's work is shown to the user. */
        public Lifecycle.Exit exit() {
            Lifecycle.Exit e = io.exit;
            if (e != null) return e;
            return last == null ? null : new Lifecycle.Exit(last.exitCode(), last.oomKilled(), last.limits().memory());
        }

        private ContainerState last;

        /** Blocks until the condition holds and returns the exit code. */
        public int await() throws InterruptedException {
            return awaitUnless(() -> false);
        }

        /** As {@link #await}, but gives up (null) once gone says the one waiting went away. */
        public Integer awaitUnless(java.util.function.BooleanSupplier gone) throws InterruptedException {
            int lastCode = first.exitCode();
            while (true) {
                ContainerState now;
                try {
                    now = engine.lifecycle().inspect(first.id());
                } catch (NoSuchContainerException e) {
                    now = null;
                }
                if (now != null) {
                    lastCode = now.exitCode();
                    last = now;
                }
                boolean running = now != null && now.status().hasProcess();
                boolean exitedSince = now != null && !running && !Objects.equals(now.finishedAt(), first.finishedAt());
                boolean startedHere;
                synchronized (io) {
                    startedHere = io.starts > startsBefore;
                }
                boolean ended = switch (condition) {
                    case NOT_RUNNING -> now == null || !running;
                    case NEXT_EXIT -> now == null || exitedSince || (startedHere && io.exitCode != null);
                    case REMOVED -> now == null;
                };
                // --rm: the record is gone a moment before this process has the exit code in hand
                boolean codeOnItsWay = now == null && startedHere && io.exitCode == null;
                if (ended && !codeOnItsWay) return io.exitCode != null && (now == null || !running) ? io.exitCode : lastCode;
                if (gone.getAsBoolean()) return null;
                io.await(50);
            }
        }
    }

    /**
     * After a daemon restart: containers still running from before are found by pid and start
     * time, and their output is logged again from where the FIFOs hold it. Their exit is recorded
     * by the process that inherited them (the keeper).
     */
    public int adoptRunning(int reaperPid) {
        int adopted = 0;
        for (ContainerState c : engine.lifecycle().list(false)) {
            if (Processes.isSame(c.ownerPid(), c.ownerStartTime()) && c.ownerPid() != reaperPid) continue; // someone alive owns it
            if (!Processes.isSame(c.pid(), c.pidStartTime())) continue;
            engine.lifecycle().setOwner(c.id(), reaperPid);
            if (c.tty()) continue; // its terminal ended with the old daemon
            Path dir = engine.containers().dirOf(c.id());
            int pidfd = outputEndsWithIt(c) ? -1 : Sys.pidfdOpenQuiet(c.pid());
            if (pidfd < 0 && !outputEndsWithIt(c) || !Files.exists(dir.resolve(FIFOS[0]))) continue;
            int[] read = openOutput(dir);
            Pump pump = new Pump(read, new int[]{StreamFrames.STDOUT, StreamFrames.STDERR}, pidfd);
            try {
                if (c.logging().keepsLogs()) pump.sinks.add(logSink(dir, c.logging()));
            } catch (IOException e) {
                continue;
            }
            Io io = io(c.id());
            synchronized (io) {
                io.pump = pump;
            }
            Pumps.start(pump, () -> {
                pump.end();
                synchronized (io) {
                    io.ended = true;
                    io.pump = null;
                    io.notifyAll();
                }
            });
            adopted++;
        }
        return adopted;
    }
}
