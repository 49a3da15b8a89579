package jbox.image;

/** Content that does not match its digest. */
public final class CorruptBlobException extends java.io.IOException {
    public CorruptBlobException(String message) { super(message); }
}
