package jbox.text;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Docker's output conventions: padded tables, human durations and sizes. */
public final class Format {
    private Format() {}

    /** Columns separated by at least three spaces, each as wide as its widest cell (docker's tabwriter). */
    public static String table(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], columns(r[i]));
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(r[i]);
                if (i < cols - 1) line.append(" ".repeat(width[i] - columns(r[i]) + 3));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** Terminal columns text takes: a Chinese character (East Asian wide or fullwidth) takes two. */
    public static int columns(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            boolean wide = c >= 0x1100 && c <= 0x115F || c >= 0x2E80 && c <= 0xA4CF && c != 0x303F || c >= 0xAC00 && c <= 0xD7A3
                    || c >= 0xF900 && c <= 0xFAFF || c >= 0xFE30 && c <= 0xFE4F || c >= 0xFF00 && c <= 0xFF60 || c >= 0xFFE0 && c <= 0xFFE6
                    || c >= 0x20000 && c <= 0x3FFFD;
            n += wide ? 2 : 1;
        }
        return n;
    }

    /** go-units HumanDuration, as docker ps and docker images print it. */
    public static String duration(Duration d) {
        long s = d.getSeconds();
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = d.toMinutes();
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = d.toHours();
        if (Math.round(d.getSeconds() / 3600.0) == 1) return "About an hour";
        if (h < 48) return h + " hours";
        if (h < 24 * 7 * 2) return (h / 24) + " days";
        if (h < 24 * 30 * 2) return (h / 24 / 7) + " weeks";
        if (h < 24 * 365 * 2) return (h / 24 / 30) + " months";
        return (h / 24 / 365) + " years";
    }

    public static String ago(String isoInstant) {
        if (isoInstant == null) return "";
        return duration(Duration.between(Instant.parse(isoInstant), Instant.now())) + " ago";
    }

    /** go-units HumanSize: decimal units, three significant digits (4.26MB, 1.2kB). */
    public static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        String n = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        return n + units[i];
    }

    public static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    public static List<String[]> rows(String... header) {
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        return rows;
    }
}
