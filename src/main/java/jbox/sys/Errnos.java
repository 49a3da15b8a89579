package jbox.sys;

/** The errno values jbox reacts to by number. */
public final class Errnos {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            ENOEXEC = 8, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17,
            ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, EPIPE = 32, ENODEV = 19, ENOSYS = 38, ELOOP = 40,
            ENOTSUP = 95;

    private Errnos() {}
}
