package jbox.ociruntime;

/**
 * A runtime command failed. Printed the way runc prints errors (one line, also to --log), with the
 * exit code runc uses (1).
 */
public final class OciException extends RuntimeException {
    public OciException(String message) { super(message); }

    public OciException(String message, Throwable cause) { super(message, cause); }
}
