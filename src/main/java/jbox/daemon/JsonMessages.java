package jbox.daemon;

import jbox.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Docker's JSON message streams (pull, push, build, load, wait, stats, events): one object per line.
 * Each object and its newline go out in one write, so in one HTTP chunk: docker-compose v1 parses
 * chunk by chunk and fails on a chunk that holds only the newline.
 */
final class JsonMessages {
    private JsonMessages() {}

    static void write(OutputStream out, Object message) {
        try {
            byte[] json = Json.bytes(message);
            byte[] line = Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
