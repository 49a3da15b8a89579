package jbox.runtime;

/** A container's lifecycle state, with the moves each allows. */
public enum Status {
    CREATED, RUNNING, EXITED;

    public boolean canStart() { return this != RUNNING; }

    public boolean canStop() { return this == RUNNING; }

    public boolean canRemoveWithoutForce() { return this != RUNNING; }

    public String wire() { return name().toLowerCase(); }
}
