package jbox.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Hashes everything read through it and fails at end of stream if the digest does not match. */
final class VerifyingInputStream extends FilterInputStream {
    private final MessageDigest md = Digest.sha256();
    private final Digest expected;
    private final String what;
    private boolean checked;

    VerifyingInputStream(InputStream in, Digest expected, String what) {
        super(in);
        this.expected = expected;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) md.update((byte) b); else verify();
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) md.update(buf, off, n); else if (n < 0) verify();
        return n;
    }

    /** Reads to the end (tar readers stop before trailing padding) and checks the digest. */
    void drainAndVerify() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) { /* hashing */ }
    }

    private void verify() throws IOException {
        if (checked) return;
        checked = true;
        Digest actual = Digest.fromMessageDigest(md);
        if (!actual.equals(expected)) {
            throw new CorruptBlobException(what + " does not match its digest " + expected + ": the bytes hash to " + actual);
        }
    }
}
