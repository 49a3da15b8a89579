package jbox.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Tells how many bytes have gone through, at most ten times a second, for progress bars. */
public final class CountingInputStream extends FilterInputStream {
    private final LongConsumer report;
    private long count;
    private long lastReport;

    public CountingInputStream(InputStream in, LongConsumer report) {
        super(in);
        this.report = report;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) counted(1);
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) counted(n);
        return n;
    }

    private void counted(int n) {
        count += n;
        long now = System.nanoTime();
        if (now - lastReport > 100_000_000L) {
            lastReport = now;
            report.accept(count);
        }
    }
}
