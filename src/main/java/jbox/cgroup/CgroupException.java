package jbox.cgroup;

/** A cgroup file operation that failed, naming the file and the value. */
public final class CgroupException extends RuntimeException {
    public CgroupException(String message, Throwable cause) { super(message, cause); }
}
