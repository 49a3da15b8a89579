package jbox.registry;

import java.io.IOException;

/** A registry said no, or could not be reached: what failed, the likely cause and the fix, and an HTTP status for the API. */
public final class RegistryException extends IOException {
    private final int status;
    private final String cause;
    private final String fix;

    public RegistryException(int status, String what, String cause, String fix) {
        super(what);
        this.status = status;
        this.cause = cause;
        this.fix = fix;
    }

    public int status() { return status; }
    public String likelyCause() { return cause; }
    public String fix() { return fix; }
}
