package jbox.api;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The times of docker's --since and --until: the CLI takes a duration ago (10m, 1h30m), a date
 * (2026-12-06, RFC 3339) or unix seconds, and sends unix seconds with optional nanoseconds, as the API wants.
 */
public final class Timestamps {
    private Timestamps() {}

    /** An API value (unix seconds[.nanos], or RFC 3339) as nanoseconds since the epoch. */
    public static long apiNanos(String value, String param) {
        String v = value.trim();
        try {
            if (v.matches("-?\\d+(\\.\\d{1,9})?")) {
                int dot = v.indexOf('.');
                long secs = Long.parseLong(dot < 0 ? v : v.substring(0, dot));
                long nanos = dot < 0 ? 0 : Long.parseLong((v.substring(dot + 1) + "000000000").substring(0, 9));
                return secs * 1_000_000_000L + nanos;
            }
            Instant i = OffsetDateTime.parse(v).toInstant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiErrors.badRequest("invalid " + param + " \"" + value + "\": give unix seconds (1733472000 or 1733472000.5) or an RFC 3339 time");
        }
    }

    /** A duration ago (10m, 1h30m) as the time it names, or null when value is not one. */
    static Instant durationAgo(String value, Instant now) {
        return value.matches("(\\d+[hms])+") ? now.minus(Duration.parse("PT" + value.toUpperCase())) : null;
    }

    /** A CLI flag's value as the API's unix seconds.nanoseconds, relative to now for a duration. */
    public static String flag(String value, String flag, Instant now) {
        String v = value.trim();
        Instant at;
        try {
            if (v.matches("-?\\d+(\\.\\d{1,9})?")) return v;
            Instant ago = durationAgo(v, now);
            if (ago != null) {
                at = ago;
            } else if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                at = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } else {
                at = OffsetDateTime.parse(v).toInstant();
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new jbox.sys.Failure("invalid value for " + flag + ": \"" + value + "\"", null,
                    "give a duration ago (10m, 1h30m), a date (2026-12-06), an RFC 3339 time (2026-12-06T10:00:00Z) or unix seconds");
        }
        return at.getEpochSecond() + "." + String.format("%09d", at.getNano());
    }
}
