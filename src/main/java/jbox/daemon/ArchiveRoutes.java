package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.engine.ContainerFiles;
import jbox.engine.Engine;
import jbox.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** /containers/{id}/archive: docker cp, both ways (HEAD stats a path, GET reads it as a tar, PUT unpacks a tar into a directory). */
final class ArchiveRoutes {
    static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private final Engine engine;

    ArchiveRoutes(Engine engine) { this.engine = engine; }

    void register(Router r) {
        r.add("GET", "/containers/{id}/archive", "ArchiveRoutes.read", this::read) // HEAD too: the stat alone
                .add("PUT", "/containers/{id}/archive", "ArchiveRoutes.write", this::write);
    }

    private static String path(ApiRequest req) {
        String path = req.query("path", "");
        if (path.isEmpty()) throw ApiErrors.badRequest("no path given (path is empty)");
        return path;
    }

    private void read(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String path = path(req);
        if (req.method.equals("HEAD")) {
            ex.header(STAT_HEADER, header(engine.files().stat(p.get("id"), path)));
            ex.empty(200);
            return;
        }
        OutputStream[] out = {null};
        try {
            engine.files().read(p.get("id"), path, st -> {
                ex.header(STAT_HEADER, header(st));
                try {
                    out[0] = ex.stream(200, "application/x-tar");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, new OutputStream() {
                @Override public void write(int b) throws IOException { out[0].write(b); }
                @Override public void write(byte[] b, int off, int len) throws IOException { out[0].write(b, off, len); }
                @Override public void flush() throws IOException { out[0].flush(); }
            });
        } finally {
            if (out[0] != null) out[0].close();
        }
    }

    private void write(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        String path = path(req);
        if (req.stream == null) throw ApiErrors.badRequest("no archive in the request body");
        try {
            engine.files().write(p.get("id"), path, req.stream, req.flag("copyUIDGID"));
        } catch (RuntimeException e) {
            req.stream.transferTo(OutputStream.nullOutputStream()); // the client sends its whole archive before it reads an answer
            throw e;
        }
        ex.empty(200);
    }

    /** The stat as docker sends it: base64 of {"name","size","mode","mtime","linkTarget"}. */
    static String header(ContainerFiles.PathStat st) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", st.name());
        m.put("size", st.size());
        m.put("mode", st.mode());
        m.put("mtime", st.mtime());
        m.put("linkTarget", st.linkTarget());
        return Base64.getEncoder().encodeToString(Json.bytes(m));
    }
}
