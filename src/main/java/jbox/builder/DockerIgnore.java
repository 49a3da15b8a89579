package jbox.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A .dockerignore: one pattern per line (Go's filepath.Match, plus ** for any number of directories),
 * # comments, ! to take a path back in. The last pattern that matches a path or one of its parent
 * directories decides, as in docker.
 */
public final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exclude) {}

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) { this.rules = rules; }

    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    public static DockerIgnore read(Path contextDir) throws IOException {
        Path f = contextDir.resolve(".dockerignore");
        return Files.isRegularFile(f) ? parse(Files.readString(f)) : NONE;
    }

    public static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            String p = line.trim();
            if (p.isEmpty() || p.startsWith("#")) continue;
            boolean exclude = true;
            if (p.startsWith("!")) {
                exclude = false;
                p = p.substring(1).trim();
            }
            p = clean(p);
            if (p.isEmpty()) continue;
            rules.add(new Rule(Glob.compile(p), exclude));
        }
        return new DockerIgnore(rules);
    }

    /** Whether a path relative to the context (a/b/c, no leading /) is left out of the build. */
    public boolean excludes(String relative) {
        String path = clean(relative);
        boolean excluded = false;
        for (Rule r : rules) {
            if (matchesSelfOrParent(r.pattern, path)) excluded = r.exclude;
        }
        return excluded;
    }

    private static boolean matchesSelfOrParent(Pattern p, String path) {
        if (p.matcher(path).matches()) return true;
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            if (p.matcher(path.substring(0, i)).matches()) return true;
        }
        return false;
    }

    /** Like Go's filepath.Clean, relative: no leading /, no ./ or trailing /, .. resolved. */
    static String clean(String p) {
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (!parts.isEmpty()) parts.remove(parts.size() - 1);
            } else {
                parts.add(s);
            }
        }
        return String.join("/", parts);
    }
}
