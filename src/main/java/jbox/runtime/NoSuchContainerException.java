package jbox.runtime;

/** No container by that name or id. */
public final class NoSuchContainerException extends RuntimeException {
    public NoSuchContainerException(String nameOrId) { super("No such container: " + nameOrId); }
}
