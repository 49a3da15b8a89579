package jbox.sys;

import jnr.constants.platform.Errno;

/**
 * One failed system call: which call, with which arguments, and the errno it returned.
 * Layers above add context by wrapping it; {@link Explanations} turns it into advice.
 */
public final class SyscallException extends RuntimeException {
    private final String call;
    private final String args;
    private final int errno;

    public SyscallException(String call, String args, int errno) {
        super(call + "(" + args + ") failed: " + errnoName(errno) + " (" + errnoText(errno) + ")");
        this.call = call;
        this.args = args;
        this.errno = errno;
    }

    public String call() { return call; }
    public String args() { return args; }
    public int errno() { return errno; }
    public String errnoName() { return errnoName(errno); }

    public static String errnoName(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    public static String errnoText(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "unknown error" : e.description();
    }
}
