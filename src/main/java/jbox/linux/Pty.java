package jbox.linux;

import jbox.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.nio.file.Path;

import static jbox.sys.Linux.*;

/**
 * A pseudo-terminal allocated from the container's own devpts instance, so the container sees
 * its terminal as /dev/pts/0 (tty and job control work) while jbox holds the master end.
 */
public final class Pty {
    private final int master;
    private final int number;

    private Pty(int master, int number) {
        this.master = master;
        this.number = number;
    }

    public static Pty open(Path devPts) {
        int master = Sys.open(devPts.resolve("ptmx").toString(), O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
        try {
            Sys.ioctlInt(master, TIOCSPTLCK, 0, "TIOCSPTLCK 0");
            return new Pty(master, Sys.ioctlInt(master, TIOCGPTN, 0, "TIOCGPTN"));
        } catch (RuntimeException e) {
            Sys.close(master);
            throw e;
        }
    }

    public int master() { return master; }

    public int number() { return number; }

    /** Path of the terminal inside the container. */
    public String slaveInContainer() { return "/dev/pts/" + number; }

    /** Sets the terminal's size; the kernel sends SIGWINCH to the container's foreground job. */
    public static void resize(int fd, int rows, int cols) {
        if (rows <= 0 || cols <= 0) return;
        Pointer ws = Memory.allocateDirect(Sys.runtime(), 8);
        ws.putShort(0, (short) rows);
        ws.putShort(2, (short) cols);
        ws.putShort(4, (short) 0);
        ws.putShort(6, (short) 0);
        Sys.ioctlQuiet(fd, TIOCSWINSZ, ws); // the terminal may be gone already
    }

    /** Rows and columns of the terminal on fd, or null when fd is not a terminal. */
    public static int[] size(int fd) {
        Pointer ws = Memory.allocateDirect(Sys.runtime(), 8);
        if (!Sys.ioctlQuiet(fd, TIOCGWINSZ, ws)) return null;
        return new int[]{ws.getShort(0) & 0xffff, ws.getShort(2) & 0xffff};
    }
}
