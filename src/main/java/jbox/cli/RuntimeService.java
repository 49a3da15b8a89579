package jbox.cli;

import jbox.io.FileLock;
import jbox.io.LingeringServer;
import jbox.sys.Linux;
import jbox.sys.Processes;
import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OCI runtime's quick commands (state, start, kill, delete, ...) answered by a JVM that stays
 * a few seconds, so each step a caller (conmon, containerd's shim) waits for costs a round trip
 * instead of a JVM's start. jbox-runc's front (src/main/c/runtime-client.c) sends the command
 * line and its working directory over a Unix socket and gets back the output, frame by frame, and
 * the exit status; when no service listens it runs the command in a JVM of its own as before, and
 * that JVM starts the service. A create is answered here up to the spawn of the container's process,
 * which must be a descendant of the caller (it waits for it as its child): the front forks it
 * ({@link FrontFork}). run, exec and a create with --preserve-fds run in a JVM of their own.
 *
 * <p>Frames from the service: a kind byte and a 4-byte length, then the data: 'a' (accepted: the
 * command will run here), 'l' (run it yourself), 'o' stdout, 'e' stderr, 's' fork the container's process
 * (answered by the client's 'p' frame), 'x' the exit status.
 * A client that gets no 'a' runs the command itself: nothing was done.
 */
public final class RuntimeService {
    private RuntimeService() {}

    /** The commands answered here: none makes a process that the caller must be the parent of, none reads stdin. */
    static final Set<String> SERVED = Set.of("state", "start", "kill", "delete", "pause", "resume", "ps", "list", "ls", "features");
    /** Long enough to see podman's or containerd's create, start and delete of one container through. */
    static final long LINGER_MILLIS = 10_000;
    /** Set by jbox-runc's front for a command it runs in its own JVM because no service listens there. */
    static final String SOCKET_VARIABLE = "JBOX_RUNTIME_SOCKET";

    private static volatile boolean serving;

    /** Serves on socket until quiet for {@link #LINGER_MILLIS}; at once returns if another service listens there. */
    static int serve(Path socket) throws IOException {
        LingeringServer server;
        LingeringServer.privateDir(socket);
        try (FileLock ignored = FileLock.acquire(LingeringServer.lockOf(socket))) {
            try (SocketChannel live = LingeringServer.connect(socket)) {
                if (live != null) return 0; // started by two commands at once: the other one serves
            }
            server = LingeringServer.listen(socket, LINGER_MILLIS);
        }
        serving = true;
        Thread warm = new Thread(() -> warmUp(socket), "jbox-warm-up");
        warm.setDaemon(true);
        warm.start();
        try (server) {
            server.serve(RuntimeService::answer, () -> false, () -> { });
        }
        Path log = logOf(socket);
        if (Files.exists(log) && Files.size(log) == 0) Files.delete(log);
        return 0;
    }

    /**
     * Loads and links what the quick commands use (picocli's model, the state records' JSON) while
     * the caller's create still runs, so its next step is answered at full speed: a command run
     * to its error on a store of no containers, and a state record read back.
     */
    private static void warmUp(Path socket) {
        Path root = null;
        try {
            root = Files.createTempDirectory(socket.getParent(), "warm-up-");
            PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream());
            String[] argv = {"runtime", "--root", root.toString(), "state", "warm-up"};
            Main.configure(Main.commandLine(argv), nowhere, nowhere).execute(argv);
            var record = new jbox.ociruntime.OciRuntime.Record("warm-up", 1, 1, "/", "/", "", "", Map.of(), List.of(), List.of(), List.of(), List.of());
            jbox.io.Json.MAPPER.readValue(jbox.io.Json.bytes(record), jbox.ociruntime.OciRuntime.Record.class);
        } catch (IOException | RuntimeException e) {
            // only the speed of the first request depends on it
        } finally {
            if (root != null) {
                try {
                    jbox.io.AtomicFiles.deleteTree(root);
                } catch (IOException ignored) {
                    // an empty directory in the service's own directory; the next service's warm-up is unaffected
                }
            }
        }
    }

    /**
     * In a runtime command that jbox-runc's front runs in a JVM of its own: starts the service in the
     * background when the front found none, so the caller's next steps are answered by it.
     */
    static void startIfWanted() {
        String socket = System.getenv(SOCKET_VARIABLE);
        if (serving || socket == null || !socket.startsWith("/")) return;
        try {
            Path path = Path.of(socket);
            LingeringServer.privateDir(path);
            int log = Sys.open(logOf(path).toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_TRUNC | Linux.O_CLOEXEC, 0600);
            int devNull = Sys.open("/dev/null", Linux.O_RDWR | Linux.O_CLOEXEC, 0);
            List<String> argv = SelfCommand.argv();
            argv.addAll(List.of("_runtime-service", "--socket", socket));
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                if (!e.getKey().equals(SOCKET_VARIABLE)) env.add(e.getKey() + "=" + e.getValue());
            }
            int pid;
            // its own session, no descriptor of the caller's: conmon reads create's output until every copy is closed
            try (Spawn s = new Spawn(argv.get(0), argv, env)) {
                s.setsid().chdir("/").dup2(devNull, 0).dup2(devNull, 1).dup2(log, 2).closeFrom(3);
                pid = s.spawn();
            } finally {
                Sys.close(log);
                Sys.close(devNull);
            }
            // It will serve every caller, not only this one: out of this caller's cgroup before this step returns.
            jbox.cgroup.Cgroups.moveToRoots(pid);
            Processes.reapInBackground(pid);
        } catch (RuntimeException | IOException e) {
            // the command goes on in this JVM; only the speed of the next one is lost
        }
    }

    /** Where a service's errors go; removed when it ends with none. */
    private static Path logOf(Path socket) { return socket.resolveSibling(socket.getFileName() + ".log"); }

    /** One request: its working directory and command line, each ending in a NUL, after their total length. */
    private static void answer(SocketChannel conn) {
        try (conn) {
            conn.configureBlocking(true);
            if (!sameUser(conn)) return;
            ByteBuffer len = ByteBuffer.allocate(4);
            if (!readFully(conn, len)) return;
            int n = len.flip().getInt();
            if (n <= 0 || n > 1 << 20) return;
            ByteBuffer body = ByteBuffer.allocate(n);
            if (!readFully(conn, body)) return;
            List<String> fields = new ArrayList<>(List.of(new String(body.array(), StandardCharsets.UTF_8).split("\0", -1)));
            fields.remove(fields.size() - 1); // after the last NUL
            Path cwd = Path.of(fields.remove(0));
            String command = String.valueOf(RuntimeCommand.subcommandName(fields));
            boolean forked = command.equals("create") && fields.stream().noneMatch(f -> f.startsWith("--preserve-fds"));
            if (!cwd.isAbsolute() || !(SERVED.contains(command) || forked)) {
                frame(conn, 'l', new byte[0]);
                return;
            }
            frame(conn, 'a', new byte[0]);
            int code = run(conn, cwd, fields, forked ? new FrontFork(conn) : null);
            frame(conn, 'x', ByteBuffer.allocate(4).putInt(code).array());
        } catch (IOException e) {
            // the client went away; what it asked for is done or undone as in a runtime killed midway
        }
    }

    private static int run(SocketChannel conn, Path cwd, List<String> args, jbox.runtime.CallerFork callerFork) {
        List<String> line = new ArrayList<>();
        line.add("runtime");
        line.addAll(args);
        String[] argv = line.toArray(new String[0]);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FrameStream(conn, 'o'), StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FrameStream(conn, 'e'), StandardCharsets.UTF_8));
        picocli.CommandLine cli = Main.configure(Main.commandLine(argv), out, err);
        RuntimeCommand runtime = (RuntimeCommand) cli.getSubcommands().get("runtime").getCommand();
        runtime.workingDir = cwd;
        runtime.callerFork = callerFork;
        try {
            return cli.execute(argv);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A create's container process, forked by the front at the other end of conn (runtime-client.c,
     * fork_for_service): an 's' frame carries the namespaces to join and the spawn, NUL-separated, each
     * list after its length; the front answers with a 'p' frame, the pid, or minus the errno of the step
     * that failed (it says which on the caller's stderr).
     */
    private static final class FrontFork implements jbox.runtime.CallerFork {
        private final SocketChannel conn;

        FrontFork(SocketChannel conn) { this.conn = conn; }

        @Override
        public int fork(jbox.sys.Spawn.Replay spawn, List<String> namespacePaths) {
            List<String> w = new ArrayList<>();
            w.add(String.valueOf(ProcessHandle.current().pid()));
            list(w, namespacePaths);
            list(w, spawn.exported().stream().map(String::valueOf).toList());
            w.add(spawn.setsid() ? "1" : "0");
            w.add(String.valueOf(spawn.actions().size()));
            for (List<String> a : spawn.actions()) list(w, a);
            w.add(spawn.path());
            list(w, spawn.args());
            list(w, spawn.env());
            try {
                frame(conn, 's', (String.join("\0", w) + "\0").getBytes(StandardCharsets.UTF_8));
                ByteBuffer reply = ByteBuffer.allocate(9);
                if (!readFully(conn, reply) || reply.get(0) != 'p' || reply.getInt(1) != 4) {
                    throw new IllegalStateException("jbox-runc's front left before it started the container's process");
                }
                int pid = reply.getInt(5);
                if (pid <= 0) throw new jbox.sys.SyscallException("fork", "the container's process, in jbox-runc's front", -pid);
                return pid;
            } catch (IOException e) {
                throw new IllegalStateException("jbox-runc's front left before it started the container's process: " + e.getMessage(), e);
            }
        }

        private static void list(List<String> w, List<String> items) {
            w.add(String.valueOf(items.size()));
            w.addAll(items);
        }
    }

    /** The socket's directory is root's alone; this says so again for a request: only this service's user is served. */
    private static boolean sameUser(SocketChannel conn) throws IOException {
        var peer = conn.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
        return peer.user().getName().equals(System.getProperty("user.name"));
    }

    private static boolean readFully(SocketChannel conn, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) if (conn.read(buf) < 0) return false;
        return true;
    }

    private static void frame(SocketChannel conn, char kind, byte[] data) throws IOException {
        frame(conn, kind, data, 0, data.length);
    }

    private static void frame(SocketChannel conn, char kind, byte[] data, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + len).put((byte) kind).putInt(len).put(data, off, len).flip();
        synchronized (conn) {
            while (b.hasRemaining()) conn.write(b);
        }
    }

    /** A command's stdout or stderr, each write one frame. */
    private static final class FrameStream extends OutputStream {
        private final SocketChannel conn;
        private final char kind;

        FrameStream(SocketChannel conn, char kind) {
            this.conn = conn;
            this.kind = kind;
        }

        @Override
        public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) frame(conn, kind, b, off, len);
        }
    }
}
