package jbox.cgroup;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as Docker's flags take them ("32m", "1g", "512k", "100"): binary units, an optional b/ib. */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Units() {}

    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size: '" + text + "': use a number with an optional unit b, k, m, g or t (e.g. 32m)");
        }
        int power = "bkmgtp".indexOf(m.group(2).isEmpty() ? "b" : m.group(2).toLowerCase(Locale.ROOT));
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power)).longValue();
    }

    /** 33554432 as 32MiB, for messages. */
    public static String binary(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (v == Math.floor(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v)) + units[i];
    }
}
