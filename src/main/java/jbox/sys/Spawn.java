package jbox.sys;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A prepared glibc posix_spawn: arguments, environment, file actions and attributes live in
 * native memory allocated up front, so the thread that finally spawns only makes the call.
 * That matters on a thread inside a new pid namespace, which must not allocate or start threads.
 * The child inherits the spawning thread's namespaces, credentials and root.
 */
public final class Spawn implements AutoCloseable {
    private static final int FA_SIZE = 256, ATTR_SIZE = 1024, SIGSET_SIZE = 128;

    private final LibC c = Sys.c();
    private final List<Pointer> keep = new ArrayList<>();
    private final String path;
    private final List<String> args, env;
    /** The file actions again, as words another process can carry out (see {@link Replay}). */
    private final List<List<String>> replayed = new ArrayList<>();
    private final Pointer fileActions, attr, argv, envp;
    private final StringBuilder description = new StringBuilder();
    private short flags;
    private boolean closed;
    private boolean closesFrom;

    public Spawn(String path, List<String> args, List<String> env) {
        this.path = path;
        this.args = List.copyOf(args);
        this.env = List.copyOf(env);
        fileActions = alloc(FA_SIZE);
        attr = alloc(ATTR_SIZE);
        c.posix_spawn_file_actions_init(fileActions);
        c.posix_spawnattr_init(attr);
        argv = stringArray(args);
        envp = stringArray(env);
        // Reset every signal to its default and unblock all: the JVM's handlers and masks are not the child's business.
        Pointer all = alloc(SIGSET_SIZE);
        c.sigfillset(all);
        c.posix_spawnattr_setsigdefault(attr, all);
        Pointer none = alloc(SIGSET_SIZE);
        c.sigemptyset(none);
        c.posix_spawnattr_setsigmask(attr, none);
        flags = (short) (Linux.POSIX_SPAWN_SETSIGDEF | Linux.POSIX_SPAWN_SETSIGMASK);
    }

    private Pointer alloc(int size) {
        Pointer p = Memory.allocateDirect(Sys.runtime(), size, true);
        keep.add(p);
        return p;
    }

    private Pointer stringArray(List<String> items) {
        Pointer array = alloc(8 * (items.size() + 1));
        for (int i = 0; i < items.size(); i++) {
            byte[] b = items.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = alloc(b.length + 1);
            s.put(0, b, 0, b.length);
            s.putByte(b.length, (byte) 0);
            array.putPointer(8L * i, s);
        }
        array.putAddress(8L * items.size(), 0L);
        return array;
    }

    private Spawn action(int rc, String what, String... words) {
        if (rc != 0) throw new SyscallException("posix_spawn_file_actions", what, rc);
        description.append("\n  ").append(what);
        replayed.add(List.of(words));
        return this;
    }

    public Spawn open(int fd, String file, int oflags, int mode) {
        return action(c.posix_spawn_file_actions_addopen(fileActions, fd, file, oflags, mode), "open(" + Sys.quote(file) + ") -> fd " + fd,
                "open", String.valueOf(fd), String.valueOf(oflags), String.valueOf(mode), file);
    }

    public Spawn dup2(int from, int to) {
        return action(c.posix_spawn_file_actions_adddup2(fileActions, from, to), "dup2(" + from + ", " + to + ")",
                "dup2", String.valueOf(from), String.valueOf(to));
    }

    public Spawn close(int fd) { return action(c.posix_spawn_file_actions_addclose(fileActions, fd), "close(" + fd + ")", "close", String.valueOf(fd)); }

    public Spawn chdir(String dir) { return action(c.posix_spawn_file_actions_addchdir_np(fileActions, dir), "chdir(" + Sys.quote(dir) + ")", "chdir", dir); }

    public Spawn fchdir(int fd) { return action(c.posix_spawn_file_actions_addfchdir_np(fileActions, fd), "fchdir(" + fd + ")", "fchdir", String.valueOf(fd)); }

    /** Closes every descriptor from {@code from} up: the JVM holds many fds without O_CLOEXEC. */
    public Spawn closeFrom(int from) {
        closesFrom = true;
        return action(c.posix_spawn_file_actions_addclosefrom_np(fileActions, from), "closefrom(" + from + ")", "closefrom", String.valueOf(from));
    }

    /**
     * This spawn for another process to carry out (jbox-runc's front, which forks a container's first
     * process in its caller's tree): program, arguments, environment, whether it starts a session, and
     * the file actions in order, each a list of words ("dup2 FROM TO", "open FD FLAGS MODE PATH", "close FD",
     * "chdir DIR", "fchdir FD", "closefrom FD"). exported: the descriptors of this JVM the actions read
     * (a source at 3 or above that no earlier action made), which that process opens again through /proc;
     * 0, 1 and 2 are its own.
     */
    public record Replay(String path, List<String> args, List<String> env, boolean setsid, List<List<String>> actions, List<Integer> exported) {}

    public Replay replay() {
        List<Integer> exported = new ArrayList<>();
        java.util.Set<Integer> made = new java.util.HashSet<>();
        for (List<String> a : replayed) {
            switch (a.get(0)) {
                case "open" -> made.add(Integer.parseInt(a.get(1)));
                case "dup2", "fchdir" -> {
                    int from = Integer.parseInt(a.get(1));
                    if (from > 2 && !made.contains(from) && !exported.contains(from)) exported.add(from);
                    if (a.get(0).equals("dup2")) made.add(Integer.parseInt(a.get(2)));
                }
                default -> { }
            }
        }
        List<List<String>> actions = new ArrayList<>(replayed);
        if (!closesFrom) actions.add(List.of("closefrom", "3")); // as spawn() does
        return new Replay(path, args, env, (flags & Linux.POSIX_SPAWN_SETSID) != 0, List.copyOf(actions), exported);
    }

    public Spawn setsid() { flags |= Linux.POSIX_SPAWN_SETSID; return this; }

    public String describe() { return "posix_spawn(" + Sys.quote(path) + ")" + description; }

    /**
     * Spawns and returns the child's pid. glibc uses CLONE_VFORK, so this returns only once the
     * child has called execve (or failed): a file action that blocks holds the caller here too.
     */
    public int spawn() {
        // No child of jbox keeps jbox's descriptors (sockets, locks, other containers' pipes) unless it was told which to keep.
        if (!closesFrom) closeFrom(3);
        c.posix_spawnattr_setflags(attr, flags);
        IntByReference pid = new IntByReference();
        int rc = c.posix_spawn(pid, path, fileActions, attr, argv, envp);
        Sys.traceLine("posix_spawn(" + Sys.quote(path) + ") = " + (rc != 0 ? "-1 " + SyscallException.errnoName(rc) : pid.getValue()));
        if (rc != 0) throw new SyscallException("posix_spawn", Sys.quote(path), rc);
        return pid.getValue();
    }

    /**
     * Replaces this process with the program (execve): for a JVM that hands its pid over to a small
     * C program (the daemon's keeper). Only the arguments and environment apply; the program closes
     * what it does not need (the JVM's files are not close-on-exec). Returns only by throwing.
     */
    public void exec() {
        System.out.flush();
        System.err.flush();
        c.execve(path, argv, envp);
        throw new SyscallException("execve", Sys.quote(path), Sys.errno());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        c.posix_spawn_file_actions_destroy(fileActions);
        c.posix_spawnattr_destroy(attr);
        keep.clear();
    }
}
