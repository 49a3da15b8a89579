package jbox.sys;

/** Kernel constants from the Linux UAPI headers (identical on x86_64 and aarch64). */
public final class Linux {
    private Linux() {}

    public static final int CLONE_FS = 0x200, CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000,
            CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000,
            CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_NOATIME = 1024, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24;
    public static final int MNT_DETACH = 2;

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000,
            O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    public static final int FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    public static final int FSCONFIG_SET_STRING = 1, FSCONFIG_SET_FD = 5, FSCONFIG_CMD_CREATE = 6;
    public static final int MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 4;

    public static final int PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38;

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12,
            SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19, SIGWINCH = 28;

    public static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04,
            POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    public static final long TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCGPTN = 0x80045430L,
            TIOCSPTLCK = 0x40045431L, SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    public static final int TCSANOW = 0;
    public static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000, IFF_UP = 1;

    /** A wait status as a shell reports it: the exit code, or 128 + the signal that ended the process. */
    public static int exitCode(int status) { return wifexited(status) ? wexitstatus(status) : 128 + wtermsig(status); }

    public static int wexitstatus(int status) { return (status >> 8) & 0xff; }
    public static int wtermsig(int status) { return status & 0x7f; }
    public static boolean wifexited(int status) { return (status & 0x7f) == 0; }
    public static boolean wifsignaled(int status) { return ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f; }
    /** The major number of a dev_t (glibc's gnu_dev_major). */
    public static int major(long dev) { return (int) (((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffL)); }

    /** The minor number of a dev_t (glibc's gnu_dev_minor). */
    public static int minor(long dev) { return (int) ((dev & 0xff) | ((dev >> 12) & ~0xffL)); }

    public static long makedev(int major, int minor) {
        return ((long) (minor & 0xff)) | ((long) (major & 0xfff) << 8)
                | ((long) (minor & ~0xff) << 12) | ((long) (major & ~0xfff) << 32);
    }
}
