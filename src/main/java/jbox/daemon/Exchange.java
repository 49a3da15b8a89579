package jbox.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The answer side of one request: a handler replies once, with JSON, an empty body, a stream
 * (chunked, for logs and progress), or by taking over the connection (attach, exec), as the
 * Docker API does with "Upgrade: tcp".
 */
public interface Exchange {
    void json(int status, Object body) throws IOException;

    /** One more header for the answer to come (docker cp's X-Docker-Container-Path-Stat). */
    void header(String name, String value);

    /** The status sent, for the trace (0 before any). */
    int status();

    void empty(int status) throws IOException;

    void bytes(int status, String contentType, byte[] body) throws IOException;

    /** A body written as it is produced; closing the stream ends the response. */
    OutputStream stream(int status, String contentType) throws IOException;

    /**
     * Whether the client has closed the connection while its answer is still being prepared (a
     * docker wait whose CLI went away): the handler can stop instead of holding the connection
     * until the container ends, as Docker cancels the request.
     */
    default boolean clientGone() { return false; }

    /** Raw both ways after the headers; the caller closes it when the stream ends. */
    Hijacked hijack(String contentType) throws IOException;

    interface Hijacked extends AutoCloseable {
        InputStream in();

        OutputStream out();

        /** Half-close: the client sees end of stream, and may still send. */
        void closeOutput() throws IOException;

        @Override
        void close();

        /** Ends the connection at once, without sending what is buffered (a client that stopped reading). */
        void abort();
    }
}
