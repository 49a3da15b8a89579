package jbox.sys;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The glibc functions jbox calls. Only wrappers that act on the calling thread alone are
 * bound here; calls whose glibc wrapper changes every thread of the process (setresuid,
 * setgroups, ...) go through {@link Sys#syscall} with raw numbers instead.
 */
public interface LibC {
    int unshare(int flags);
    int setns(int fd, int nstype);
    int mount(String source, String target, String fstype, long flags, String data);
    int umount2(String target, int flags);
    long syscall(long number, long a1, long a2, long a3, long a4, long a5);
    long syscall(long number, String a1, String a2);
    long syscall(long number, String a1, long a2);
    long syscall(long number, int a1, int a2, String a3, String a4, int a5);
    long syscall(long number, int a1, String a2, int a3, String a4, int a5);
    int sethostname(String name, long len);
    int setdomainname(String name, long len);
    int prlimit(int pid, int resource, Pointer newLimit, Pointer oldLimit);
    int umask(int mask);
    int mknod(String path, int mode, long dev);
    int mkfifo(String path, int mode);
    int open(String path, int flags, int mode);
    int close(int fd);
    int chdir(String path);
    int fchdir(int fd);
    int chroot(String path);
    int pipe2(int[] fds, int flags);
    int fcntl(int fd, int cmd, int arg);
    long read(int fd, byte[] buf, long count);
    long lseek(int fd, long offset, int whence);
    long write(int fd, byte[] buf, long count);
    int ioctl(int fd, long request, Pointer arg);
    int ioctl(int fd, long request, IntByReference arg);
    int prctl(int option, long a2, long a3, long a4, long a5);
    int kill(int pid, int sig);
    int waitpid(int pid, IntByReference status, int options);
    int lchown(String path, int uid, int gid);
    int chmod(String path, int mode);
    int lsetxattr(String path, String name, byte[] value, long size, int flags);
    long lgetxattr(String path, String name, byte[] value, long size);
    int socket(int domain, int type, int protocol);
    int connect(int fd, Pointer addr, int len);
    long sendmsg(int fd, Pointer msg, int flags);
    int tcgetattr(int fd, Pointer termios);
    int tcsetattr(int fd, int action, Pointer termios);
    void cfmakeraw(Pointer termios);
    int isatty(int fd);
    int getpid();
    int posix_fallocate(int fd, long offset, long len);
    int geteuid();
    int dup(int fd);
    int poll(Pointer fds, long nfds, int timeout);
    int epoll_create1(int flags);
    int epoll_ctl(int epfd, int op, int fd, Pointer event);
    int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    int execve(String path, Pointer argv, Pointer envp);
    void _exit(int status);
    int malloc_trim(long pad);
    int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);
    int posix_spawn_file_actions_init(Pointer fa);
    int posix_spawn_file_actions_destroy(Pointer fa);
    int posix_spawn_file_actions_addopen(Pointer fa, int fd, String path, int flags, int mode);
    int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newfd);
    int posix_spawn_file_actions_addclose(Pointer fa, int fd);
    int posix_spawn_file_actions_addchdir_np(Pointer fa, String path);
    int posix_spawn_file_actions_addfchdir_np(Pointer fa, int fd);
    int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);
    int posix_spawnattr_init(Pointer attr);
    int posix_spawnattr_destroy(Pointer attr);
    int posix_spawnattr_setflags(Pointer attr, short flags);
    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);
    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);
    int sigemptyset(Pointer set);
    int sigfillset(Pointer set);
}
