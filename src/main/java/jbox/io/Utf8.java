package jbox.io;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * jbox writes UTF-8, whatever the locale says. Java 17 writes in the locale's charset, and a locale
 * the host has not generated (LANG=zh_CN.UTF-8 on a fresh server) falls back to ASCII, which prints
 * every Chinese character as "?". Terminals, logs and clients all read jbox's output as UTF-8.
 */
public final class Utf8 {
    private Utf8() {}

    /** System.out and System.err in UTF-8. */
    public static void standardStreams() {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }

    /** A writer in UTF-8 (PrintWriter(OutputStream) would take the locale's charset). */
    public static PrintWriter writer(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    }
}
