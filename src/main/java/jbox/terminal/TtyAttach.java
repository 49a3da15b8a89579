package jbox.terminal;



import jbox.linux.Pty;
import jbox.sys.Sys;
import sun.misc.Signal;

/**
 * Connects this terminal straight to a pty master this process holds (the shell's sandbox),
 * in raw mode; window size changes follow with SIGWINCH. Containers go through the API instead
 * ({@link Attach}).
 */
public final class TtyAttach implements AutoCloseable {
    private final int master;
    private final RawMode saved;
    private Thread output;
    private Thread input;
    private volatile boolean closed;

    private TtyAttach(int master, RawMode saved) {
        this.master = master;
        this.saved = saved;
    }

    /**
     * Starts copying between this terminal, which the caller put in raw mode before it started the
     * command (so that a key typed meanwhile, a Ctrl-C above all, waits for the command instead of
     * signalling this process), and master; close() restores the terminal.
     */
    public static TtyAttach attach(int master, RawMode saved) {
        int[] size = Pty.size(0) != null ? Pty.size(0) : Pty.size(1);
        if (size != null) Pty.resize(master, size[0], size[1]);
        try {
            Signal.handle(new Signal("WINCH"), s -> {
                int[] now = Pty.size(0) != null ? Pty.size(0) : Pty.size(1);
                if (now != null) Pty.resize(master, now[0], now[1]);
            });
        } catch (IllegalArgumentException ignored) {
            // no SIGWINCH handling available
        }
        TtyAttach attach = new TtyAttach(master, saved);
        attach.output = attach.copy(master, 1, "jbox-tty-out");
        attach.input = attach.copy(0, master, "jbox-tty-in");
        return attach;
    }

    private Thread copy(int from, int to, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            while (true) {
                // Poll with a timeout, so the keyboard copier stops when the command ends: in the shell,
                // a reader left blocked on the terminal would steal the next keystrokes.
                if (from == 0 && !Sys.pollIn(0, 100)) {
                    if (closed) return;
                    continue;
                }
                if (from == 0 && closed) return;
                int n = Sys.read(from, buf);
                if (n < 0) continue; // nothing after all (a non-blocking stdin)
                if (n == 0) return; // EOF, or EIO once the container closed its end
                try {
                    if (!Sys.writeAll(to, buf, n)) return; // the other end is gone
                } catch (jbox.sys.SyscallException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        try {
            output.join(2000); // the last output of the container, until the pty reports EIO
            closed = true;
            if (input != null) input.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (saved != null) saved.restore();
        Sys.close(master);
    }
}
