package jbox.builder;

import java.util.regex.Pattern;

/** Go's filepath.Match patterns (*, ?, [a-z], \\x) plus ** for any number of directories, as docker reads them. */
public final class Glob {
    private Glob() {}

    static boolean hasMagic(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    public static Pattern compile(String glob) {
        return Pattern.compile(toRegex(glob));
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && glob.startsWith("**", i)) {
                // "**/" matches any number of directories, also none; a final "**" matches everything below
                boolean slash = glob.startsWith("**/", i);
                re.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = glob.indexOf(']', i + 1);
                if (end < 0) {
                    re.append("\\[");
                } else {
                    String cls = glob.substring(i + 1, end);
                    if (cls.startsWith("^")) cls = "^" + cls.substring(1);
                    re.append('[').append(cls.replace("\\", "\\\\")).append(']');
                    i = end;
                }
            } else if (c == '\\' && i + 1 < glob.length()) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
