package jbox.image;

/**
 * One step of a pull or push as the user follows it: a line of its own, or a blob's state
 * ("Downloading", "Pull complete", ...) with its bytes so far while it moves.
 *
 * @param id      the blob's short digest, or null for a line about the whole image
 * @param current bytes moved so far, or -1 when this is a change of state
 * @param total   the blob's size, or -1
 */
public record PullEvent(String id, String status, long current, long total) {
    public static PullEvent line(String status) { return new PullEvent(null, status, -1, -1); }

    public static PullEvent state(String id, String status) { return new PullEvent(id, status, -1, -1); }

    /** A byte count, not a change of state: plain output leaves these out. */
    public boolean isBytes() { return current >= 0; }

    @Override
    public String toString() { return id == null ? status : id + ": " + status; }
}
