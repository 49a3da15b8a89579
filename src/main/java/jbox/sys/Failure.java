package jbox.sys;

/**
 * A failure the user should read: what failed, the likely cause, and the fix. exitCode is what
 * `jbox` exits with (125 for jbox's own failures, 126/127 when the command cannot run, as Docker).
 */
public class Failure extends RuntimeException {
    private final int exitCode;
    private final String cause;
    private final String fix;
    private int httpStatus = 500;

    public Failure(int exitCode, String what, String cause, String fix, Throwable inner) {
        super(what, inner);
        this.exitCode = exitCode;
        this.cause = cause;
        this.fix = fix;
    }

    public Failure(String what, String cause, String fix) { this(125, what, cause, fix, null); }

    public int exitCode() { return exitCode; }
    public String likelyCause() { return cause; }
    public String fix() { return fix; }

    /** The HTTP status the daemon answers with: 400 bad input, 404 not found, 409 wrong state, 500 otherwise. */
    public int httpStatus() { return httpStatus; }

    public Failure httpStatus(int status) {
        this.httpStatus = status;
        return this;
    }
}
