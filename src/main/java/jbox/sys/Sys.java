package jbox.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

import static jbox.sys.Linux.*;

/**
 * Every system call jbox makes, each checked: a failure becomes one {@link SyscallException}
 * naming the call, its arguments and errno. Read errno right after the call, on the same thread.
 */
public final class Sys {
    private static final LibC REAL = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RT = Runtime.getRuntime(REAL);
    private static final Syscalls NR = Syscalls.forThisMachine();

    static {
        // jnr-ffi starts its memory-reaper thread on the first auto-released allocation. A thread
        // inherits the namespaces and cgroup of the thread that starts it, so make that happen
        // here, on whichever ordinary thread loads this class, never on a namespace thread.
        Memory.allocateDirect(RT, 8, true);
        System.gc();
        Exit.nativeLoaded = true;
    }

    private Sys() {}

    /** Loads the native bindings (and jnr's helper thread) on the calling, ordinary thread. */
    public static void init() { }

    /** For native memory (structs handed to calls); the calls themselves go through this class. */
    public static Runtime runtime() { return RT; }

    /**
     * The C library the calls go to: the real one, or a stand-in (a recording fake) that a test
     * installs for the calling thread and the threads it starts, so that the order of a container
     * start can be checked without root. Nothing else in jbox holds the library.
     */
    public record Kernel(LibC libc, java.util.function.IntSupplier errno) {}

    private static final InheritableThreadLocal<Kernel> STAND_IN = new InheritableThreadLocal<>();

    /** Runs the calling thread (and threads it starts from now on) on kernel until the result is closed. */
    public static AutoCloseable standIn(Kernel kernel) {
        Kernel before = STAND_IN.get();
        STAND_IN.set(kernel);
        return () -> STAND_IN.set(before);
    }

    static LibC c() {
        Kernel k = STAND_IN.get();
        return k == null ? REAL : k.libc();
    }

    /**
     * For a long-lived jbox process that has gone quiet (the daemon, the monitor): a full collection,
     * which lets the heap shrink (MaxHeapFreeRatio) and frees the native memory of jnr's buffers that
     * only a collection releases, then malloc_trim(3) returns what the C heap holds free to the system.
     */
    public static void giveBackMemory() {
        System.gc();
        c().malloc_trim(0);
    }

    /** _exit(2) with the standard streams flushed: see {@link Exit}. */
    static void exitNow(int code) {
        System.out.flush();
        System.err.flush();
        c()._exit(code);
    }

    public static int errno() {
        Kernel k = STAND_IN.get();
        return k == null ? RT.getLastError() : k.errno().getAsInt();
    }

    /**
     * Sees every checked call with its result, as "unshare(CLONE_NEWUTS) = 0": the shell's explain
     * mode. Per thread, because the calls that matter run on a namespace thread of their own.
     */
    private static final InheritableThreadLocal<java.util.function.Consumer<String>> TRACE = new InheritableThreadLocal<>();

    public static void trace(java.util.function.Consumer<String> listener) {
        if (listener == null) TRACE.remove(); else TRACE.set(listener);
    }

    private static int check(int rc, String call, String args) {
        return (int) check((long) rc, call, args);
    }

    private static long check(long rc, String call, String args) {
        int err = rc < 0 ? errno() : 0;
        var t = TRACE.get();
        if (t != null) t.accept(call + "(" + args + ") = " + (rc < 0 ? "-1 " + SyscallException.errnoName(err) : rc));
        if (rc < 0) throw new SyscallException(call, args, err);
        return rc;
    }

    /** Lets the explain-mode listener see a request that is not a plain system call (a netlink message). */
    public static void traceLine(String line) {
        var t = TRACE.get();
        if (t != null) t.accept(line);
    }

    public static int socket(int domain, int type, int protocol, String what) {
        return check(c().socket(domain, type, protocol), "socket", what);
    }

    public static void unshare(int flags) { check(c().unshare(flags), "unshare", Namespaces.flagNames(flags)); }

    public static void setns(int fd, int nstype, String what) { check(c().setns(fd, nstype), "setns", what + ", " + Namespaces.flagNames(nstype)); }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        check(c().mount(source, target, fstype, flags, data), "mount",
                quote(source) + ", " + quote(target) + ", " + quote(fstype) + ", " + MountFlags.names(flags)
                        + (data == null ? "" : ", " + quote(data)));
    }

    public static void umount2(String target, int flags) {
        check(c().umount2(target, flags), "umount2", quote(target) + (flags == MNT_DETACH ? ", MNT_DETACH" : ", " + flags));
    }

    public static void pivotRoot(String newRoot, String putOld) {
        check(c().syscall(NR.pivotRoot, newRoot, putOld), "pivot_root", quote(newRoot) + ", " + quote(putOld));
    }

    public static void sethostname(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        check(c().sethostname(name, b.length), "sethostname", quote(name));
    }

    public static void setdomainname(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        check(c().setdomainname(name, b.length), "setdomainname", quote(name));
    }

    /** prlimit(2) on another process: only it changes, not this JVM. */
    public static void prlimit(int pid, int resource, long soft, long hard, String name) {
        Pointer lim = Memory.allocateDirect(RT, 16);
        lim.putLong(0, soft);
        lim.putLong(8, hard);
        check(c().prlimit(pid, resource, lim, null), "prlimit", pid + ", " + name + ", " + soft + ", " + hard);
    }

    /** Ambient capabilities survive exec for a non-root user (PR_CAP_AMBIENT_RAISE); per thread. */
    public static void raiseAmbient(int cap) {
        check(c().prctl(47, 2, cap, 0, 0), "prctl", "PR_CAP_AMBIENT_RAISE " + cap);
    }

    public static void mknod(String path, int mode, long dev) {
        check(c().mknod(path, mode, dev), "mknod", quote(path) + ", 0" + Integer.toOctalString(mode) + ", " + (dev >> 8) + ":" + (dev & 0xff));
    }

    public static void mkfifo(String path, int mode) { check(c().mkfifo(path, mode), "mkfifo", quote(path)); }

    public static int open(String path, int flags, int mode) { return check(c().open(path, flags, mode), "open", quote(path)); }

    public static void close(int fd) { c().close(fd); }

    /** chdir of the calling thread only, once it has its own fs_struct (unshare(CLONE_FS)). */
    public static void chdir(String path) { check(c().chdir(path), "chdir", quote(path)); }

    public static void fchdir(int fd) { check(c().fchdir(fd), "fchdir", String.valueOf(fd)); }

    public static void chroot(String path) { check(c().chroot(path), "chroot", quote(path)); }

    /** A close-on-exec pipe: [read end, write end]. */
    public static int[] pipe() {
        int[] fds = new int[2];
        check(c().pipe2(fds, Linux.O_CLOEXEC), "pipe2", "O_CLOEXEC");
        return fds;
    }

    /** Makes reads on fd return at once when there is nothing to read (only this end of a pipe). */
    public static void setNonBlocking(int fd) {
        int flags = check(c().fcntl(fd, 3 /* F_GETFL */, 0), "fcntl", fd + ", F_GETFL");
        check(c().fcntl(fd, 4 /* F_SETFL */, flags | Linux.O_NONBLOCK), "fcntl", fd + ", F_SETFL, O_NONBLOCK");
    }

    /** read(2): bytes read, 0 at end of file, -1 when a non-blocking fd has nothing now (EAGAIN) or the other end is gone (EIO, a pty). */
    public static int read(int fd, byte[] buf) {
        while (true) {
            long n = c().read(fd, buf, buf.length);
            if (n >= 0) return (int) n;
            int e = errno();
            if (e == Errnos.EINTR) continue;
            if (e == Errnos.EAGAIN) return -1;
            if (e == Errnos.EIO) return 0;
            throw new SyscallException("read", String.valueOf(fd), e);
        }
    }

    /** Writes all of buf[0, len); false when the reader is gone (EPIPE). */
    public static boolean writeAll(int fd, byte[] buf, int len) {
        int off = 0;
        while (off < len) {
            byte[] part = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, len);
            long n = c().write(fd, part, len - off);
            if (n < 0) {
                int e = errno();
                if (e == Errnos.EINTR) continue;
                if (e == Errnos.EPIPE || e == Errnos.EIO) return false;
                throw new SyscallException("write", String.valueOf(fd), e);
            }
            off += (int) n;
        }
        return true;
    }

    public static int gettid() { return (int) c().syscall(NR.gettid, 0, 0, 0, 0, 0); }

    public static int getpid() { return c().getpid(); }

    public static boolean isRoot() { return c().geteuid() == 0; }

    public static int geteuid() { return c().geteuid(); }

    public static void kill(int pid, int sig) {
        requireOneProcess(pid);
        check(c().kill(pid, sig), "kill", pid + ", " + Signals.name(sig));
    }

    /** kill(0) and kill(-N) reach whole process groups, kill(-1) every process: jbox signals one process at a time. */
    private static void requireOneProcess(int pid) {
        if (pid <= 0) throw new IllegalArgumentException("refusing to signal pid " + pid + ": that is a group of processes, not one");
    }

    /** kill that reports whether the process existed instead of throwing for ESRCH. */
    public static boolean signal(int pid, int sig) {
        requireOneProcess(pid);
        if (c().kill(pid, sig) == 0) return true;
        int e = errno();
        if (e == Errnos.ESRCH) return false;
        throw new SyscallException("kill", pid + ", " + Signals.name(sig), e);
    }

    /** Blocks until this process's child {@code pid} ends and returns its raw wait status. */
    public static int waitpid(int pid) {
        IntByReference status = new IntByReference();
        while (true) {
            int rc = c().waitpid(pid, status, 0);
            if (rc == pid) return status.getValue();
            int e = errno();
            if (rc < 0 && e != Errnos.EINTR) throw new SyscallException("waitpid", String.valueOf(pid), e);
        }
    }

    public static void lchown(String path, int uid, int gid) { check(c().lchown(path, uid, gid), "lchown", quote(path) + ", " + uid + ", " + gid); }

    public static void chmod(String path, int mode) { check(c().chmod(path, mode), "chmod", quote(path) + ", 0" + Integer.toOctalString(mode)); }

    public static void lsetxattr(String path, String name, byte[] value) {
        check(c().lsetxattr(path, name, value, value.length, 0), "lsetxattr", quote(path) + ", " + quote(name));
    }

    /** An extended attribute's value, or null if the file has none of that name. */
    public static String lgetxattr(String path, String name) {
        byte[] buf = new byte[4096];
        long n = c().lgetxattr(path, name, buf, buf.length);
        if (n < 0) {
            if (errno() == 61 /* ENODATA */) return null;
            throw new SyscallException("lgetxattr", quote(path) + ", " + quote(name), errno());
        }
        return new String(buf, 0, (int) n, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void setresuid(int uid) { check(c().syscall(NR.setresuid, uid, uid, uid, 0, 0), "setresuid", uid + ", " + uid + ", " + uid); }

    public static void setresgid(int gid) { check(c().syscall(NR.setresgid, gid, gid, gid, 0, 0), "setresgid", gid + ", " + gid + ", " + gid); }

    public static void setgroups(int[] gids) {
        Pointer p = Memory.allocateDirect(RT, Math.max(4, gids.length * 4));
        for (int i = 0; i < gids.length; i++) p.putInt(i * 4L, gids[i]);
        check(c().syscall(NR.setgroups, gids.length, p.address(), 0, 0, 0), "setgroups", java.util.Arrays.toString(gids));
    }

    /** capset for the calling thread only: sets effective, permitted and inheritable masks. */
    public static void capset(long effective, long permitted, long inheritable) {
        Pointer hdr = Memory.allocateDirect(RT, 8);
        hdr.putInt(0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3
        hdr.putInt(4, 0);
        Pointer data = Memory.allocateDirect(RT, 24);
        data.putInt(0, (int) effective);
        data.putInt(4, (int) permitted);
        data.putInt(8, (int) inheritable);
        data.putInt(12, (int) (effective >>> 32));
        data.putInt(16, (int) (permitted >>> 32));
        data.putInt(20, (int) (inheritable >>> 32));
        check(c().syscall(NR.capset, hdr.address(), data.address(), 0, 0, 0), "capset",
                "effective=0x" + Long.toHexString(effective) + ", permitted=0x" + Long.toHexString(permitted));
    }

    /** The calling thread's permitted capability mask. */
    public static long capgetPermitted() {
        Pointer hdr = Memory.allocateDirect(RT, 8);
        hdr.putInt(0, 0x20080522);
        hdr.putInt(4, 0);
        Pointer data = Memory.allocateDirect(RT, 24);
        check(c().syscall(NR.capget, hdr.address(), data.address(), 0, 0, 0), "capget", "0");
        return (data.getInt(4) & 0xffffffffL) | ((long) data.getInt(16) << 32);
    }

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER): the calling thread, and what it spawns from now on, run
     * under the program (a struct sock_fprog). Never with TSYNC: the rest of the JVM stays unfiltered.
     */
    public static void seccompFilter(int flags, Pointer program, String what) {
        check(c().syscall(NR.seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, flags, program.address(), 0, 0), "seccomp",
                "SECCOMP_SET_MODE_FILTER, " + flags + ", {" + what + "}");
    }

    /** bpf(cmd, attr, size): the eBPF system call (programs for cgroup v2's device filter). */
    public static long bpf(int cmd, Pointer attr, int size, String what) {
        return check(c().syscall(NR.bpf, cmd, attr.address(), size, 0, 0), "bpf", what);
    }

    /** Gives the file len bytes of real disk blocks (not a sparse hole): false if the disk has no room for them. */
    public static boolean fallocate(String path, long len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        try {
            return c().posix_fallocate(fd, 0, len) == 0;
        } finally {
            close(fd);
        }
    }

    /** An anonymous file in memory (memfd_create, close-on-exec). */
    public static int memfd(String name) {
        Pointer n = Memory.allocateDirect(RT, name.length() + 1, true);
        n.putString(0, name, name.length() + 1, java.nio.charset.StandardCharsets.US_ASCII);
        return (int) check(c().syscall(NR.memfdCreate, n.address(), 1 /* MFD_CLOEXEC */, 0, 0, 0), "memfd_create", quote(name));
    }

    /** Everything written to fd, read again from its start. */
    public static byte[] readFromStart(int fd) {
        check(c().lseek(fd, 0, 0 /* SEEK_SET */), "lseek", fd + ", 0, SEEK_SET");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = read(fd, buf)) > 0; ) out.write(buf, 0, n);
        return out.toByteArray();
    }

    public static void prctl(int option, long arg, String what) { check(c().prctl(option, arg, 0, 0, 0), "prctl", what); }

    public static int fsopen(String fs) { return (int) check(c().syscall(NR.fsopen, fs, FSOPEN_CLOEXEC), "fsopen", quote(fs)); }

    public static void fsconfigFd(int fsfd, String key, int fd) {
        check(c().syscall(NR.fsconfig, fsfd, FSCONFIG_SET_FD, key, null, fd), "fsconfig", "FSCONFIG_SET_FD, " + quote(key));
    }

    public static void fsconfigString(int fsfd, String key, String value) {
        check(c().syscall(NR.fsconfig, fsfd, FSCONFIG_SET_STRING, key, value, 0), "fsconfig", "FSCONFIG_SET_STRING, " + quote(key) + ", " + quote(value));
    }

    public static void fsconfigCreate(int fsfd) {
        check(c().syscall(NR.fsconfig, fsfd, FSCONFIG_CMD_CREATE, null, null, 0), "fsconfig", "FSCONFIG_CMD_CREATE");
    }

    public static int fsmount(int fsfd, int attrs) {
        return (int) check(c().syscall(NR.fsmount, fsfd, FSMOUNT_CLOEXEC, attrs, 0, 0), "fsmount", "attrs=" + attrs);
    }

    /**
     * open_tree(OPEN_TREE_CLONE): a detached copy of the mount at path, as a descriptor that
     * move_mount can attach in another mount namespace (a bind mount from one namespace to another).
     */
    public static int openTreeClone(String path) {
        return (int) check(c().syscall(NR.openTree, -100 /* AT_FDCWD */, path, 1 /* OPEN_TREE_CLONE */ | 02000000 /* OPEN_TREE_CLOEXEC */, null, 0),
                "open_tree", quote(path) + ", OPEN_TREE_CLONE");
    }

    public static void moveMount(int mountFd, String target) {
        check(c().syscall(NR.moveMount, mountFd, "", -100 /* AT_FDCWD */, target, MOVE_MOUNT_F_EMPTY_PATH), "move_mount", quote(target));
    }

    /** pidfd_open that returns -1 instead of failing (old kernel, or the process is gone). */
    public static int pidfdOpenQuiet(int pid) {
        long rc = c().syscall(NR.pidfdOpen, pid, 0, 0, 0, 0);
        return rc < 0 ? -1 : (int) rc;
    }

    /** pidfd_send_signal: the process the pidfd was opened on, never one that got its pid later. False if it has ended. */
    public static boolean pidfdSignal(int pidfd, int sig) {
        if (c().syscall(NR.pidfdSendSignal, pidfd, sig, 0, 0, 0) == 0) return true;
        int e = errno();
        if (e == Errnos.ESRCH) return false;
        throw new SyscallException("pidfd_send_signal", pidfd + ", " + Signals.name(sig), e);
    }

    /** Waits until fd is readable (a pidfd is readable once its process has exited). False on timeout. */
    public static boolean pollIn(int fd, int timeoutMillis) {
        Pointer p = Memory.allocateDirect(RT, 8);
        p.putInt(0, fd);
        p.putShort(4, (short) 1); // POLLIN
        p.putShort(6, (short) 0);
        while (true) {
            int rc = c().poll(p, 1, timeoutMillis);
            if (rc > 0) return true;
            if (rc == 0) return false;
            int e = errno();
            if (e != Errnos.EINTR) throw new SyscallException("poll", String.valueOf(fd), e);
        }
    }

    /** A close-on-exec copy of fd numbered lowest or above (fcntl F_DUPFD_CLOEXEC): out of the way of the numbers a spawn sets. */
    public static int dupAbove(int fd, int lowest) { return check(c().fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, lowest), "fcntl", fd + ", F_DUPFD_CLOEXEC, " + lowest); }

    /** A second descriptor for the same open file (the container's stdin beside its terminal). */
    public static int dup(int fd) { return check(c().dup(fd), "dup", String.valueOf(fd)); }

    public static boolean isatty(int fd) { return c().isatty(fd) == 1; }

    /** umask(2) of the calling thread (it has its own fs_struct after unshare(CLONE_FS)); returns the old mask. */
    public static int umask(int mask) {
        int old = c().umask(mask);
        traceLine("umask(0" + Integer.toOctalString(mask) + ") = 0" + Integer.toOctalString(old));
        return old;
    }

    /** An ioctl whose argument is a struct in memory. */
    public static void ioctl(int fd, long request, Pointer arg, String what) {
        check(c().ioctl(fd, request, arg), "ioctl", fd + ", " + what);
    }

    /** An ioctl whose argument is an int, in and out; returns the int afterwards. */
    public static int ioctlInt(int fd, long request, int value, String what) {
        IntByReference ref = new IntByReference(value);
        check(c().ioctl(fd, request, ref), "ioctl", fd + ", " + what);
        return ref.getValue();
    }

    /** The kind of namespace a namespace file refers to, as its CLONE_NEW* flag (ioctl NS_GET_NSTYPE); -1 for a file that is none. */
    public static int namespaceType(int fd) { return c().ioctl(fd, 0xb703L, (Pointer) null); }

    /** ioctl that answers false instead of failing (a window size on something that is not a terminal). */
    public static boolean ioctlQuiet(int fd, long request, Pointer arg) { return c().ioctl(fd, request, arg) == 0; }

    /** A terminal's settings (struct termios), to restore later. */
    public static byte[] tcgetattr(int fd) {
        Pointer t = Memory.allocateDirect(RT, 256);
        check(c().tcgetattr(fd, t), "tcgetattr", String.valueOf(fd));
        byte[] saved = new byte[256];
        t.get(0, saved, 0, saved.length);
        return saved;
    }

    public static void tcsetattr(int fd, byte[] termios) {
        Pointer t = Memory.allocateDirect(RT, termios.length);
        t.put(0, termios, 0, termios.length);
        check(c().tcsetattr(fd, Linux.TCSANOW, t), "tcsetattr", fd + ", TCSANOW");
    }

    /** The settings cfmakeraw makes of these: no echo, no line editing, no signals from keys. */
    public static byte[] cfmakeraw(byte[] termios) {
        Pointer t = Memory.allocateDirect(RT, termios.length);
        t.put(0, termios, 0, termios.length);
        c().cfmakeraw(t);
        byte[] raw = new byte[termios.length];
        t.get(0, raw, 0, raw.length);
        return raw;
    }

    /** connect(2) with a prepared address struct. */
    public static void connect(int fd, Pointer addr, int len, String what) { check(c().connect(fd, addr, len), "connect", what); }

    public static void sendmsg(int fd, Pointer msg, String what) { check(c().sendmsg(fd, msg, 0), "sendmsg", what); }

    /** One message to a datagram-like socket (netlink): all of it or a failure. */
    public static void send(int fd, byte[] msg, String what) {
        long n;
        do {
            n = c().write(fd, msg, msg.length);
        } while (n < 0 && errno() == Errnos.EINTR);
        if (n < 0) throw new SyscallException("send", what, errno()); // explain mode shows the message itself (traceLine)
    }

    /** One message from a datagram-like socket (netlink), blocking; returns its length. */
    public static int recv(int fd, byte[] buf, String what) {
        long n;
        do {
            n = c().read(fd, buf, buf.length);
        } while (n < 0 && errno() == Errnos.EINTR);
        if (n < 0) throw new SyscallException("recv", what, errno());
        return (int) n;
    }

    static String quote(String s) { return s == null ? "NULL" : "\"" + s + "\""; }
}
