package jbox.linux;

/** The container's command cannot be run; exitCode is Docker's for the case (126 cannot execute, 127 not found). */
public final class NotRunnableException extends RuntimeException {
    private final int exitCode;

    public NotRunnableException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
