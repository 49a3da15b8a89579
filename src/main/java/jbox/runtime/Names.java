package jbox.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Container ids (64 hex digits) and names (given, or made up like docker's). */
public final class Names {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final String[] LEFT = {"brave", "calm", "clever", "eager", "gentle", "happy", "jolly", "kind", "lucid",
            "nimble", "quiet", "sharp", "steady", "swift", "tender", "vivid", "witty", "zen"};
    private static final String[] RIGHT = {"babbage", "curie", "dijkstra", "euler", "gauss", "hopper", "kepler", "knuth",
            "lamport", "lovelace", "noether", "pike", "ritchie", "shannon", "thompson", "torvalds", "turing", "wu"};

    private Names() {}

    public static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String randomName() {
        return LEFT[RANDOM.nextInt(LEFT.length)] + "_" + RIGHT[RANDOM.nextInt(RIGHT.length)];
    }

    /**
     * A made-up name no container has. There are only 324 plain names, so after a few tries a
     * number is added, as docker does; in the end part of the id makes it unique.
     */
    public static String unusedName(java.util.function.Predicate<String> taken, String id) {
        for (int i = 0; i < 5; i++) {
            String n = randomName();
            if (!taken.test(n)) return n;
        }
        for (int i = 0; i < 20; i++) {
            String n = randomName() + "_" + RANDOM.nextInt(100);
            if (!taken.test(n)) return n;
        }
        return randomName() + "_" + id.substring(0, 12);
    }

    /** Longer names are refused: they are file names in jbox's root (255 bytes at most), and nobody types more. */
    public static final int MAX_LENGTH = 128;

    public static void validate(String name) {
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid name (" + name.substring(0, 20) + "... with " + name.length() + " characters): at most " + MAX_LENGTH + " are allowed");
        }
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
    }
}
