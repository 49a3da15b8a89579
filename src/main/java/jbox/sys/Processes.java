package jbox.sys;

import jbox.sys.ProcFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about a process: alive or not, and when it started (to tell a reused pid apart). */
public final class Processes {
    private Processes() {}

    /** True if pid exists and is not a zombie. */
    public static boolean isAlive(int pid) {
        String[] f = stat(pid);
        return f != null && !f[0].equals("Z") && !f[0].equals("X");
    }

    /** Start time in clock ticks since boot (field 22 of /proc/PID/stat), or -1 if there is no such process. */
    public static long startTime(int pid) {
        String[] f = stat(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /**
     * Sends sig to the process pid if it is still the one that started at startTime, then waits up to
     * waitMillis for it to end. Through a pidfd opened before the check: a pid that ended and went to
     * another process (a daemon's new server, say) after the caller looked is never hit. False if it had ended.
     */
    public static boolean signal(int pid, long startTime, int sig, int waitMillis) {
        int fd = Sys.pidfdOpenQuiet(pid);
        if (fd < 0) return isSame(pid, startTime) && Sys.signal(pid, sig); // ended, or a kernel before 5.3 (no pidfds)
        try {
            if (!isSame(pid, startTime) || !Sys.pidfdSignal(fd, sig)) return false;
            if (waitMillis > 0) Sys.pollIn(fd, waitMillis);
            return true;
        } finally {
            Sys.close(fd);
        }
    }

    /** True if the process pid is alive and is the one that started at startTime. */
    public static boolean isSame(int pid, long startTime) {
        String[] f = stat(pid);
        return f != null && !f[0].equals("Z") && Long.parseLong(f[19]) == startTime;
    }

    /**
     * True if pid is a process forked by a JVM like this one that has not exec'd anything yet: its
     * executable is this process's own (same file). A container's first process is such a copy
     * while it waits at its gate; a container that has exec'd runs its image's program instead.
     */
    public static boolean isUnexecdCopyOfThisJvm(int pid) {
        try {
            Object mine = Files.getAttribute(Path.of("/proc/self/exe"), "unix:ino");
            Object mineDev = Files.getAttribute(Path.of("/proc/self/exe"), "unix:dev");
            Path exe = Path.of("/proc/" + pid + "/exe");
            return mine.equals(Files.getAttribute(exe, "unix:ino")) && mineDev.equals(Files.getAttribute(exe, "unix:dev"));
        } catch (IOException | SecurityException e) {
            return false; // gone, or a kernel thread
        }
    }

    /**
     * Waits up to millis for the process (pid, started at startTime) to end: on its pidfd, which
     * becomes readable when it exits, or by looking at /proc where the kernel has no pidfds.
     * Returns whether it has ended.
     */
    public static boolean awaitExit(int pid, long startTime, long millis) {
        int fd = Sys.pidfdOpenQuiet(pid);
        try {
            if (fd >= 0 && isSame(pid, startTime)) {
                Sys.pollIn(fd, (int) Math.min(Integer.MAX_VALUE, millis));
            } else {
                long deadline = System.currentTimeMillis() + millis;
                while (isSame(pid, startTime) && System.currentTimeMillis() < deadline) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        } finally {
            if (fd >= 0) Sys.close(fd);
        }
        return !isSame(pid, startTime);
    }

    /**
     * Every process in pid's pid namespace (host pids, pid first), for a container without a cgroup to list
     * them: jbox without root on a host that delegates none.
     */
    public static java.util.List<Integer> inPidNamespaceOf(int pid) throws IOException {
        java.util.List<Integer> out = inNamespace(java.nio.file.Path.of("/proc/" + pid + "/ns/pid"), "pid");
        out.sort(java.util.Comparator.comparing(p -> p != pid));
        return out;
    }

    /** Every process whose namespace of this kind ("pid", "mnt", ...) is the one the namespace file names (host pids). */
    public static java.util.List<Integer> inNamespace(java.nio.file.Path namespaceFile, String kind) throws IOException {
        String target = java.nio.file.Files.readSymbolicLink(namespaceFile).toString();
        java.util.List<Integer> out = new java.util.ArrayList<>();
        try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
            for (java.nio.file.Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    if (java.nio.file.Files.readSymbolicLink(d.resolve("ns/" + kind)).toString().equals(target)) out.add(Integer.parseInt(name));
                } catch (IOException gone) {
                    // ended meanwhile, or not ours to read
                }
            }
        }
        return out;
    }

    /** Waits for child pid on a daemon thread of its own, so that it never lingers as a zombie while this process lives on. */
    public static void reapInBackground(int pid) {
        Thread t = new Thread(() -> Sys.waitpid(pid), "jbox-reap-" + pid);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The children of one thread of this process (a spawn's child belongs to the thread that made it),
     * from /proc/self/task/TID/children; NoSuchFileException once the thread has ended.
     */
    public static java.util.Set<Integer> childrenOfThread(int tid) throws IOException {
        String s = ProcFiles.read(Path.of("/proc/self/task/" + tid + "/children")).trim();
        java.util.Set<Integer> out = new java.util.LinkedHashSet<>();
        if (!s.isEmpty()) for (String p : s.split("\\s+")) out.add(Integer.parseInt(p));
        return out;
    }

    /** The parent's pid (field 4 of /proc/PID/stat), or -1 if there is no such process. */
    public static int parent(int pid) {
        String[] f = stat(pid);
        return f == null ? -1 : Integer.parseInt(f[1]);
    }

    /** Fields of /proc/PID/stat after the command name: [0] is the state letter. */
    private static String[] stat(int pid) {
        if (pid <= 0) return null;
        try {
            String s = ProcFiles.read(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }
}
