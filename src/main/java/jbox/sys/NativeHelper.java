package jbox.sys;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** jbox's small C programs (src/main/c, built by scripts/setup into target/ beside jbox's classes or jar). */
public final class NativeHelper {
    private NativeHelper() {}

    /** The helper's path; missing, an error saying what it is for and how to build it. */
    public static Path find(String name, String purpose) {
        Path found = null;
        try {
            Path code = Path.of(NativeHelper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            found = code.getParent().resolve(name);
        } catch (URISyntaxException | RuntimeException ignored) {
            // no code source (an unusual class loader): reported below as missing
        }
        if (found == null || !Files.isExecutable(found)) {
            throw new IllegalStateException("jbox's helper " + name + " is missing" + (found == null ? "" : " (" + found + ")") + ": " + purpose
                    + ". Run scripts/setup (./jbox does on first use) to build it; it needs gcc.");
        }
        return found;
    }
}
