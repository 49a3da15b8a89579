package jbox.io;

import jbox.sys.Processes;

import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory's owner file: the pid and start time of the jbox process that made it, so a later
 * jbox can tell a directory still in use from one left by a process that was killed.
 */
public final class Owner {
    private static final String FILE = "owner";

    private Owner() {}

    /** Records this process as the owner of dir. */
    public static void claim(Path dir) throws IOException {
        int me = Sys.getpid();
        Files.writeString(dir.resolve(FILE), me + " " + Processes.startTime(me));
    }

    /** The owner's pid, or -1 when dir has no owner file. */
    public static int pid(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim().split(" ")[0]) : -1;
    }

    /** True while the process that claimed dir is still running. */
    public static boolean isAlive(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return false;
        String[] owner = Files.readString(f).trim().split(" ");
        return owner.length >= 2 && Processes.isSame(Integer.parseInt(owner[0]), Long.parseLong(owner[1]));
    }
}
