package jbox.builder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's word processing for ENV, ARG, LABEL, COPY, ADD, WORKDIR, USER, EXPOSE and FROM: quotes
 * are removed, $NAME and ${NAME} are replaced (also ${NAME:-word}, ${NAME:+word}, ${NAME-word},
 * ${NAME+word}), nothing inside single quotes is, and the escape character keeps the next one literal.
 * RUN, CMD and ENTRYPOINT are not processed: their shell does it when they run.
 */
final class ShellWords {
    private final String in;
    private final Map<String, String> vars;
    private final char escape;
    private int pos;

    private ShellWords(String in, Map<String, String> vars, char escape) {
        this.in = in;
        this.vars = vars;
        this.escape = escape;
    }

    /** Split on unquoted blanks into words. */
    static List<String> split(String text, Map<String, String> vars) {
        return new ShellWords(text, vars, '\\').words(true);
    }

    /** One word: blanks are kept (WORKDIR /my dir). */
    static String word(String text, Map<String, String> vars) {
        List<String> w = new ShellWords(text, vars, '\\').words(false);
        return w.isEmpty() ? "" : w.get(0);
    }

    private List<String> words(boolean splitOnBlanks) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        while (pos < in.length()) {
            char c = in.charAt(pos);
            if (splitOnBlanks && Character.isWhitespace(c)) {
                if (inWord) out.add(cur.toString());
                cur.setLength(0);
                inWord = false;
                pos++;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = in.indexOf('\'', pos + 1);
                if (end < 0) throw unterminated("'");
                cur.append(in, pos + 1, end);
                pos = end + 1;
            } else if (c == '"') {
                pos++;
                while (true) {
                    if (pos >= in.length()) throw unterminated("\"");
                    char d = in.charAt(pos);
                    if (d == '"') {
                        pos++;
                        break;
                    }
                    if (d == escape && pos + 1 < in.length() && "\"$\\`".indexOf(in.charAt(pos + 1)) >= 0) {
                        cur.append(in.charAt(pos + 1));
                        pos += 2;
                    } else if (d == '$') {
                        cur.append(variable());
                    } else {
                        cur.append(d);
                        pos++;
                    }
                }
            } else if (c == escape && pos + 1 < in.length()) {
                cur.append(in.charAt(pos + 1));
                pos += 2;
            } else if (c == '$') {
                cur.append(variable());
            } else {
                cur.append(c);
                pos++;
            }
        }
        if (inWord || !splitOnBlanks) out.add(cur.toString());
        return out;
    }

    /** At a '$': the value it stands for (a lone $ stays a $). */
    private String variable() {
        pos++;
        if (pos >= in.length()) return "$";
        char c = in.charAt(pos);
        if (c == '{') {
            int close = matchingBrace(pos);
            String body = in.substring(pos + 1, close);
            pos = close + 1;
            return braced(body);
        }
        int start = pos;
        while (pos < in.length() && (Character.isLetterOrDigit(in.charAt(pos)) || in.charAt(pos) == '_')) pos++;
        if (start == pos) return "$";
        return vars.getOrDefault(in.substring(start, pos), "");
    }

    private int matchingBrace(int open) {
        int depth = 0;
        for (int i = open; i < in.length(); i++) {
            if (in.charAt(i) == '{') depth++;
            if (in.charAt(i) == '}' && --depth == 0) return i;
        }
        throw unterminated("${");
    }

    private String braced(String body) {
        int i = 0;
        while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
        String name = body.substring(0, i);
        if (name.isEmpty()) throw new BuildException("bad substitution ${" + body + "}", "a variable name is letters, digits and _", "write ${NAME}");
        String value = vars.get(name);
        if (i == body.length()) return value == null ? "" : value;
        String op = body.startsWith(":", i) ? body.substring(i, Math.min(i + 2, body.length())) : body.substring(i, i + 1);
        String word = body.substring(i + op.length());
        String expandedWord = word(word, vars);
        return switch (op) {
            case ":-" -> value == null || value.isEmpty() ? expandedWord : value;
            case "-" -> value == null ? expandedWord : value;
            case ":+" -> value == null || value.isEmpty() ? "" : expandedWord;
            case "+" -> value == null ? "" : expandedWord;
            default -> throw new BuildException("unsupported substitution ${" + body + "}", "docker's Dockerfiles know ${NAME:-word} and ${NAME:+word}",
                    "use one of those forms");
        };
    }

    private BuildException unterminated(String what) {
        return new BuildException("unmatched " + what + " in: " + in, "a quote or ${ was opened and not closed", "close it, or escape it with \\");
    }
}
