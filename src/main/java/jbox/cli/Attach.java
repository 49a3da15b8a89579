package jbox.cli;

import jbox.terminal.RawMode;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.OomMessage;
import jbox.api.StreamFrames;
import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.linux.Pty;
import jbox.sys.Sys;
import sun.misc.Signal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A container in the foreground, as `docker run` without -d: attach to its output (and input
 * with -i), wait for it, start it, copy until it ends, exit with its exit code. With -t this
 * terminal goes raw so every key reaches the container's terminal; without, Ctrl-C and other
 * signals are forwarded to it (docker's --sig-proxy).
 */
public final class Attach {
    private Attach() {}

    /** @param start whether to start the container once attached (false: it is already running) */
    static int run(ApiClient api, String id, String name, boolean tty, boolean interactive, boolean autoRemove, boolean start, PrintWriter err) {
        String path = "/containers/" + ApiClient.seg(id) + "/attach?stream=1&stdout=1&stderr=1" + (interactive ? "&stdin=1" : "");
        ApiClient.Response stream = api.open("POST", path, null, true);
        ApiClient.Response wait;
        try {
            wait = api.open("POST", "/containers/" + ApiClient.seg(id) + "/wait?condition=" + (autoRemove ? "removed" : "next-exit"), null, false);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        AtomicReference<Object> waited = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try (wait) {
                waited.set(jbox.io.Json.MAPPER.readTree(wait.body.readAllBytes()));
            } catch (IOException | RuntimeException e) {
                waited.set(new Failure("lost the daemon while waiting for " + name + ": " + e.getMessage(),
                        "the daemon stopped", "see jbox ps -a for how the container ended"));
            }
        }, "jbox-wait");
        waiter.setDaemon(true);
        waiter.start();
        SignalProxy proxy = tty ? null : new SignalProxy(sig -> api.call("POST", "/containers/" + ApiClient.seg(id) + "/kill?signal=" + sig, null));
        Session session = null;
        try {
            if (start) {
                try {
                    api.call("POST", "/containers/" + ApiClient.seg(id) + "/start", null);
                } catch (RuntimeException e) {
                    wait.close();
                    throw e;
                }
            }
            session = Session.begin(api, "/containers/" + ApiClient.seg(id) + "/resize", tty, interactive, stream);
            copyOutput(stream.body, tty);
            session.close();
            waiter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the daemon closed the stream; the wait below says how it ended
        } finally {
            stream.close();
            if (session != null) session.close();
            if (proxy != null) proxy.restore();
        }
        Object w = waited.get();
        if (w instanceof RuntimeException e) throw e;
        int code = w instanceof JsonNode n ? n.path("StatusCode").asInt(125) : 125;
        if (w instanceof JsonNode n && n.path("JboxOOMKilled").asBoolean()) {
            long limit = n.path("JboxMemoryLimit").asLong();
            err.println("jbox: " + OomMessage.of(name, limit > 0 ? limit : null, code));
        }
        return code;
    }

    /** Copies the daemon's stream to this process's stdout and stderr, unframing it without a tty. */
    static void copyOutput(InputStream in, boolean raw) throws IOException {
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        OutputStream errOut = new FileOutputStream(FileDescriptor.err);
        if (raw) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            return;
        }
        StreamFrames.Frame f;
        while ((f = StreamFrames.read(in)) != null) {
            (f.stream() == StreamFrames.STDERR ? errOut : out).write(f.data());
            (f.stream() == StreamFrames.STDERR ? errOut : out).flush();
        }
    }

    /**
     * Copies this process's stdin to the container. Polls with a timeout, so the copier stops
     * when the command ends: in the shell, a reader left blocked on the terminal would steal the
     * next keystrokes.
     */
    private static Thread copyInput(ApiClient.Response stream) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            OutputStream to = stream.requestBody();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (!Sys.pollIn(0, 100)) continue;
                    int n = Sys.read(0, buf);
                    if (n < 0) continue; // nothing after all (a non-blocking stdin)
                    if (n == 0) break;
                    to.write(buf, 0, (int) n);
                    to.flush();
                }
                if (!Thread.currentThread().isInterrupted()) stream.closeRequestBody(); // end of input: the container's stdin ends too
            } catch (IOException e) {
                // the container ended
            }
        }, "jbox-stdin");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** This terminal and keyboard lent to a process in a container (run, start -a, exec). */
    static final class Session {
        private final Terminal terminal;
        private final Thread input;
        private boolean closed;

        private Session(Terminal terminal, Thread input) {
            this.terminal = terminal;
            this.input = input;
        }

        /** @param resizePath where terminal size changes go (/containers/ID/resize or /exec/ID/resize) */
        static Session begin(ApiClient api, String resizePath, boolean tty, boolean interactive, ApiClient.Response stream) {
            Terminal t = tty ? Terminal.attach(api, resizePath, interactive) : null;
            return new Session(t, interactive ? copyInput(stream) : null);
        }

        void close() {
            if (closed) return;
            closed = true;
            if (input != null) input.interrupt();
            if (terminal != null) terminal.close();
        }
    }

    /** This terminal, raw while the container has it, and its size followed (SIGWINCH). */
    private static final class Terminal {
        private final RawMode saved;
        private final Signal winch = new Signal("WINCH");
        private final sun.misc.SignalHandler previous;

        private Terminal(RawMode saved, sun.misc.SignalHandler previous) {
            this.saved = saved;
            this.previous = previous;
        }

        static Terminal attach(ApiClient api, String resizePath, boolean interactive) {
            Runnable resize = () -> {
                int[] size = Pty.size(0) != null ? Pty.size(0) : Pty.size(1);
                if (size != null) {
                    try {
                        api.call("POST", resizePath + "?h=" + size[0] + "&w=" + size[1], null);
                    } catch (Failure ignored) {
                        // it ended
                    }
                }
            };
            resize.run();
            RawMode saved = interactive ? RawMode.enter() : null;
            sun.misc.SignalHandler previous = null;
            try {
                previous = Signal.handle(new Signal("WINCH"), s -> resize.run());
            } catch (IllegalArgumentException ignored) {
                // no SIGWINCH handling available
            }
            return new Terminal(saved, previous);
        }

        void close() {
            if (saved != null) saved.restore();
            if (previous != null) Signal.handle(winch, previous);
        }
    }

    /** Forwards INT, TERM, HUP, USR1, USR2 to the container while it runs in the foreground. */
    private static final class SignalProxy {
        private final Map<Signal, sun.misc.SignalHandler> previous = new HashMap<>();

        SignalProxy(java.util.function.IntConsumer deliver) {
            for (String name : List.of("INT", "TERM", "HUP", "USR1", "USR2")) {
                try {
                    Signal sig = new Signal(name);
                    previous.put(sig, Signal.handle(sig, s -> {
                        try {
                            deliver.accept(s.getNumber());
                        } catch (RuntimeException ignored) {
                            // it ended meanwhile
                        }
                    }));
                } catch (IllegalArgumentException ignored) {
                    // the JVM reserves this signal here (e.g. under -Xrs)
                }
            }
        }

        /** Gives the signals back to whoever had them (the shell, when run is a shell command). */
        void restore() { previous.forEach(Signal::handle); }
    }
}
