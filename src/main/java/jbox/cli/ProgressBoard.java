package jbox.cli;

import jbox.text.Format;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * docker pull's progress display: on a terminal one line per blob, redrawn in place with a bar
 * and bytes; elsewhere (a pipe, a log, a test) one plain line per change of state.
 */
final class ProgressBoard {
    private static final int BAR = 40;
    private final PrintWriter out;
    private final boolean terminal;
    /** The id of each line printed so far (null for a line of its own), to find a blob's line again. */
    private final List<String> lines = new ArrayList<>();

    ProgressBoard(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void show(String id, String status, long current, long total) {
        if (!terminal) {
            if (current < 0) out.println(id == null ? status : id + ": " + status);
            out.flush();
            return;
        }
        String text = (id == null ? "" : id + ": ") + status + (current >= 0 ? " " + bar(current, total) : "");
        int at = id == null ? -1 : lines.indexOf(id);
        if (at < 0) {
            lines.add(id);
            out.println(text);
        } else {
            {
                int up = lines.size() - at;
                // up to the blob's line, rewrite it, and back down
                out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
            }
        }
        out.flush();
    }

    private static String bar(long current, long total) {
        if (total <= 0) return Format.size(current);
        int filled = (int) Math.min(BAR, BAR * current / total);
        String arrow = filled >= BAR ? "=".repeat(BAR) : "=".repeat(filled) + ">" + " ".repeat(BAR - filled - 1);
        return "[" + arrow + "] " + Format.size(current) + "/" + Format.size(total);
    }
}
