package jbox.ociruntime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * --log and --log-format, as runc writes them: text lines, or one JSON object per line with level,
 * msg and time, which containerd's shim reads back to report why a command failed. Without --log,
 * errors go to stderr.
 */
final class RuntimeLog {
    private final Path file;
    private final boolean json;
    private final java.io.PrintWriter err;

    RuntimeLog(Path file, String format, java.io.PrintWriter err) {
        this.err = err;
        this.file = file;
        if (format != null && !format.equals("text") && !format.equals("json")) throw new OciException("invalid log format \"" + format + "\": use text or json");
        this.json = "json".equals(format);
    }

    void error(String msg) {
        write("error", msg);
        err.println(msg);
        err.flush();
    }

    void warn(String msg) { write("warning", msg); }

    /** What config.json asked that jbox goes on without (the spec says to log it): the log, and stderr, where whoever runs jbox-runc sees it. */
    void configWarning(String msg) {
        warn(msg);
        err.println("jbox-runc: warning: " + msg);
        err.flush();
    }

    private void write(String level, String msg) {
        if (file == null) return;
        String line;
        if (json) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("level", level);
            m.put("msg", msg);
            m.put("time", Instant.now().toString());
            try {
                line = jbox.io.Json.MAPPER.writeValueAsString(m);
            } catch (IOException e) {
                line = "{\"level\":\"" + level + "\",\"msg\":\"?\"}";
            }
        } else {
            line = "time=\"" + Instant.now() + "\" level=" + level + " msg=\"" + msg.replace("\"", "\\\"") + "\"";
        }
        try {
            Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is best effort; the error still reaches stderr
        }
    }
}
