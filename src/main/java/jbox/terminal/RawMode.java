package jbox.terminal;

import jbox.sys.Sys;

/**
 * This process's terminal in raw mode, so every key (Ctrl-C, Ctrl-Z, arrows) goes to a container's
 * terminal, whose line discipline turns them into signals for its foreground job.
 */
public final class RawMode {
    private final byte[] saved;

    private RawMode(byte[] saved) { this.saved = saved; }

    /** Raw mode on stdin if it is a terminal (restored at exit too, should jbox be stopped); null otherwise. */
    public static RawMode enter() {
        if (!Sys.isatty(0)) return null;
        byte[] saved = Sys.tcgetattr(0);
        Sys.tcsetattr(0, Sys.cfmakeraw(saved));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sys.tcsetattr(0, saved)));
        return new RawMode(saved);
    }

    public void restore() { Sys.tcsetattr(0, saved); }
}
