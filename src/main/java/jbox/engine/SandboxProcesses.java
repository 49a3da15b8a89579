package jbox.engine;

import jbox.sys.Linux;
import jbox.sys.Processes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The long-lived processes of a shell's sandbox that has no cgroup, one "PID STARTTIME" line each in
 * its directory's "processes" file, so that a sandbox whose shell was killed can still be emptied: its
 * PID 1 (ending its pid namespace and everything in it) and its background commands. The start time
 * keeps a reused pid from being killed.
 */
public final class SandboxProcesses {
    private static final String FILE = "processes";

    private SandboxProcesses() {}

    public static void record(Path sandboxDir, int pid) throws IOException {
        String line = pid + " " + Processes.startTime(pid) + "\n";
        Files.writeString(sandboxDir.resolve(FILE), line, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** SIGKILL to every recorded process that is still the one recorded. */
    public static void killAll(Path sandboxDir) throws IOException {
        try {
            for (String line : Files.readAllLines(sandboxDir.resolve(FILE))) {
                String[] f = line.trim().split(" ");
                if (f.length != 2) continue;
                int pid = Integer.parseInt(f[0]);
                Processes.signal(pid, Long.parseLong(f[1]), Linux.SIGKILL, 0);
            }
        } catch (NoSuchFileException none) {
            // nothing outlived its command
        }
    }
}
