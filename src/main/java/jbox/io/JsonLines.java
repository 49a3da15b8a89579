package jbox.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/** A file of one JSON object per line that others append to (container logs, the events journal), read on from where a reader stopped. */
public final class JsonLines {
    private JsonLines() {}

    /**
     * The whole lines from offset on, each parsed, to out; returns the offset after the last whole line
     * (a line still being written is read next time). A file shorter than offset was replaced: read from 0.
     */
    public static long read(Path file, long offset, Consumer<JsonNode> out) throws IOException {
        byte[] tail;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset > ch.size()) offset = 0;
            tail = Channels.newInputStream(ch.position(offset)).readAllBytes();
        } catch (NoSuchFileException e) {
            return offset;
        }
        int start = 0;
        for (int i = 0; i < tail.length; i++) {
            if (tail[i] != '\n') continue;
            try {
                out.accept(Json.MAPPER.readTree(tail, start, i - start));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // a line cut short by a crash: the ones around it are still read
            }
            start = i + 1;
        }
        return offset + start;
    }
}
