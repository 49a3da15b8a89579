package jbox.terminal;

import jbox.sys.Linux;
import jbox.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * This process's terminal in raw mode, so every key (Ctrl-C, Ctrl-Z, arrows) goes to a container's
 * terminal, whose line discipline turns them into signals for its foreground job.
 */
public final class RawMode {
    private final Pointer saved;

    private RawMode(Pointer saved) { this.saved = saved; }

    /** Raw mode on stdin if it is a terminal (restored at exit too, should jbox be stopped); null otherwise. */
    public static RawMode enter() {
        if (Sys.libc().isatty(0) != 1) return null;
        Pointer saved = Memory.allocateDirect(Sys.runtime(), 256);
        Sys.libc().tcgetattr(0, saved);
        Pointer raw = Memory.allocateDirect(Sys.runtime(), 256);
        Sys.libc().tcgetattr(0, raw);
        Sys.libc().cfmakeraw(raw);
        Sys.libc().tcsetattr(0, Linux.TCSANOW, raw);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sys.libc().tcsetattr(0, Linux.TCSANOW, saved)));
        return new RawMode(saved);
    }

    public void restore() { Sys.libc().tcsetattr(0, Linux.TCSANOW, saved); }
}
