package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.api.StreamFrames;
import jbox.engine.Engine;
import jbox.runtime.ExecStart;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docker exec as the API splits it: create records what to run, start runs it (streaming its
 * output to the client), inspect tells whether it still runs and how it ended. Exec sessions
 * live in the daemon's memory only, as Docker's do.
 */
public final class Execs {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What to run: the body of POST /containers/{id}/exec. */
    public record Config(String containerId, List<String> cmd, List<String> env, String workingDir, String user, boolean tty,
                         boolean attachStdin, boolean attachStdout, boolean attachStderr) {}

    public static final class Session {
        public final String id;
        public final Config config;
        volatile boolean running;
        volatile Integer exitCode;
        volatile int pid;
        private int stdin = -1;
        private volatile int ptyMaster = -1;

        Session(String id, Config config) {
            this.id = id;
            this.config = config;
        }

        public boolean running() { return running; }
        public Integer exitCode() { return exitCode; }
        public int pid() { return pid; }

        public synchronized boolean writeStdin(byte[] b, int len) { return stdin >= 0 && Sys.writeAll(stdin, b, len); }

        public synchronized void closeStdin() {
            if (stdin >= 0) Sys.close(stdin);
            stdin = -1;
        }

        public void resize(int rows, int cols) {
            int m = ptyMaster;
            if (m >= 0) jbox.linux.Pty.resize(m, rows, cols);
        }
    }

    private final Engine engine;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public Execs(Engine engine) { this.engine = engine; }

    public Session create(Config config) {
        var container = engine.lifecycle().inspect(config.containerId()); // 404 now, not at start
        if (config.cmd() == null || config.cmd().isEmpty()) throw ApiErrors.badRequest("No exec command specified");
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        Session s = new Session(HexFormat.of().formatHex(b), config);
        sessions.put(s.id, s);
        engine.events().container(container, "exec_create: " + String.join(" ", config.cmd()), Map.of("execID", s.id));
        return s;
    }

    public Session get(String id) {
        Session s = sessions.get(id);
        if (s == null) throw ApiErrors.notFound("No such exec instance: " + id, "exec sessions live in the daemon's memory", "create it again with jbox exec");
        return s;
    }

    /**
     * Runs the session's command; sink gets its output until it ends. Returns after the start,
     * with the pump running; wait with {@link #await}.
     */
    public void start(Session s, Pump.Sink sink) {
        synchronized (s) {
            if (s.running || s.exitCode != null) {
                throw new jbox.sys.Failure("exec " + s.id.substring(0, 12) + " has already run", "an exec session runs once",
                        "create a new one").httpStatus(409);
            }
            s.running = true;
        }
        Config c = s.config;
        int[] out = null;
        int[] err = null;
        int in = -1;
        try {
            int stdinTheirs;
            if (c.attachStdin() && !c.tty()) {
                int[] p = Sys.pipe();
                stdinTheirs = p[0];
                s.stdin = p[1];
            } else {
                stdinTheirs = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            }
            in = stdinTheirs;
            if (!c.tty()) {
                out = Sys.pipe();
                err = Sys.pipe();
            }
            ExecStart.Started started = engine.tasks().exec(c.containerId(), c.cmd(), c.env(), c.workingDir(), c.user(), c.tty(),
                    c.tty() ? new LaunchSpec.Stdio(in, in, in) : new LaunchSpec.Stdio(in, out[1], err[1]));
            s.pid = started.pid();
            var container = engine.lifecycle().inspect(c.containerId());
            engine.events().container(container, "exec_start: " + String.join(" ", c.cmd()), Map.of("execID", s.id));
            int pidfd = Sys.pidfdOpenQuiet(started.pid());
            Pump pump;
            if (c.tty()) {
                s.ptyMaster = started.ptyMaster();
                Sys.setNonBlocking(started.ptyMaster());
                if (c.attachStdin()) s.stdin = Sys.dup(started.ptyMaster());
                pump = new Pump(new int[]{started.ptyMaster()}, new int[]{StreamFrames.STDOUT}, pidfd);
            } else {
                Sys.setNonBlocking(out[0]);
                Sys.setNonBlocking(err[0]);
                pump = new Pump(new int[]{out[0], err[0]}, new int[]{StreamFrames.STDOUT, StreamFrames.STDERR}, pidfd);
                out[0] = -1;
                err[0] = -1;
            }
            if (sink != null) pump.sinks.add(sink);
            Pumps.start(pump, () -> {
                s.ptyMaster = -1;
                s.closeStdin();
                s.exitCode = Linux.exitCode(Sys.waitpid(s.pid));
                s.running = false;
                engine.events().container(container, "exec_die", Map.of("execID", s.id, "exitCode", String.valueOf(s.exitCode)));
                pump.end();
            });
        } catch (RuntimeException e) {
            s.running = false;
            s.exitCode = e instanceof jbox.sys.Failure ee ? ee.exitCode() : 126;
            s.closeStdin();
            throw e;
        } finally {
            if (in >= 0) Sys.close(in);
            for (int[] p : new int[][]{out, err}) {
                if (p == null) continue;
                for (int fd : p) if (fd >= 0) Sys.close(fd);
            }
        }
    }
}
