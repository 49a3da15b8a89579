package jbox.io;

import java.io.FilterInputStream;
import java.io.InputStream;

/** Keeps a tar reader from closing the stream under it, so the rest can still be hashed. */
public final class UnclosableInputStream extends FilterInputStream {
    public UnclosableInputStream(InputStream in) { super(in); }

    @Override
    public void close() { /* the owner closes */ }
}
