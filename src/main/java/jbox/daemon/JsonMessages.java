package jbox.daemon;

import jbox.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Docker's JSON message streams (pull, push, build, load, wait, stats, events): one object per line.
 * Each object and its newline go out in one write, so in one HTTP chunk: docker-compose v1 parses
 * chunk by chunk and fails on a chunk that holds only the newline.
 */
final class JsonMessages {
    private JsonMessages() {}

    static void write(OutputStream out, Object message) {
        try {
            out.write(Json.line(message));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
