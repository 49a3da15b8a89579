package jbox.builder;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Dockerfile read the way docker reads it: a parser directive for the escape character, comments,
 * lines continued with the escape character, one instruction per logical line, leading --flags, and
 * the JSON ("exec") form of RUN, CMD, ENTRYPOINT, COPY, ADD, SHELL and VOLUME.
 */
public record Dockerfile(String file, List<Instruction> instructions) {
    static final Set<String> KNOWN = Set.of("FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER",
            "EXPOSE", "LABEL", "VOLUME", "SHELL", "STOPSIGNAL", "MAINTAINER", "HEALTHCHECK", "ONBUILD");
    private static final Set<String> JSON_FORM = Set.of("RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME");

    /**
     * One instruction. flags are its leading --name=value words, args the rest as written (one line),
     * json the words of its JSON form, or null when it has the shell form.
     */
    public record Instruction(String file, int line, String keyword, Map<String, String> flags, String args, List<String> json) {
        /** As docker shows it in "Step n/m : ...". */
        public String text() {
            StringBuilder b = new StringBuilder(keyword);
            flags.forEach((k, v) -> b.append(" --").append(k).append('=').append(v));
            if (!args.isEmpty()) b.append(' ').append(args);
            return b.toString();
        }

        /** Where the instruction is, for errors: "Dockerfile:3: RUN". */
        public String where() { return file + ":" + line + ": " + keyword; }

        BuildException error(String what, String cause, String fix) {
            return new BuildException(where() + ": " + what, cause, fix);
        }
    }

    public static Dockerfile parse(String file, String text) {
        String[] lines = text.split("\r?\n", -1);
        char escape = '\\';
        int first = 0;
        // Parser directives: "# name=value" lines before anything else.
        for (; first < lines.length; first++) {
            String l = lines[first].trim();
            if (!l.startsWith("#")) break;
            String d = l.substring(1).trim();
            int eq = d.indexOf('=');
            if (eq < 0) break;
            String name = d.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = d.substring(eq + 1).trim();
            if (name.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new BuildException(file + ":" + (first + 1) + ": the escape directive must be \\ or `, not " + value,
                            "docker allows only these two", "write # escape=` or remove the line");
                }
                escape = value.charAt(0);
            } else if (!name.equals("syntax") && !name.equals("check")) {
                break;
            }
        }
        List<Instruction> out = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int startLine = -1;
        for (int i = first; i < lines.length; i++) {
            String raw = lines[i];
            String trimmed = raw.trim();
            if (logical.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) continue;
            if (!logical.isEmpty() && trimmed.startsWith("#")) continue; // comments inside a continued instruction are dropped
            if (logical.isEmpty()) startLine = i + 1;
            String stripped = stripTrailing(raw);
            if (!stripped.isEmpty() && stripped.charAt(stripped.length() - 1) == escape) {
                logical.append(stripped, 0, stripped.length() - 1);
                if (i < lines.length - 1) continue;
            } else {
                logical.append(raw);
            }
            String whole = logical.toString().trim();
            logical.setLength(0);
            if (!whole.isEmpty()) out.add(instruction(file, startLine, whole));
        }
        if (out.isEmpty()) {
            throw new BuildException(file + ": the Dockerfile has no instructions", "it is empty or only comments",
                    "start it with FROM, e.g. FROM busybox");
        }
        return new Dockerfile(file, out);
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    private static Instruction instruction(String file, int line, String text) {
        int sp = 0;
        while (sp < text.length() && !Character.isWhitespace(text.charAt(sp))) sp++;
        String keyword = text.substring(0, sp).toUpperCase(Locale.ROOT);
        String rest = text.substring(sp).trim();
        if (!KNOWN.contains(keyword)) {
            throw new BuildException(file + ":" + line + ": unknown instruction " + text.substring(0, sp),
                    "a Dockerfile line starts with an instruction such as FROM, RUN, COPY, ENV or CMD",
                    "check the spelling, or end the line before with \\ if it continues there");
        }
        Map<String, String> flags = new LinkedHashMap<>();
        while (rest.startsWith("--") && !keyword.equals("ENV") && !keyword.equals("LABEL")) {
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) end++;
            String flag = rest.substring(2, end);
            int eq = flag.indexOf('=');
            flags.put(eq < 0 ? flag : flag.substring(0, eq), eq < 0 ? "true" : flag.substring(eq + 1));
            rest = rest.substring(end).trim();
        }
        List<String> json = null;
        if (JSON_FORM.contains(keyword) && rest.startsWith("[")) json = jsonWords(rest);
        return new Instruction(file, line, keyword, flags, rest, json);
    }

    /** The words of a JSON array of strings, or null when it is not one (then it is the shell form, as in docker). */
    static List<String> jsonWords(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (!n.isArray()) return null;
            List<String> words = new ArrayList<>();
            for (JsonNode w : n) {
                if (!w.isTextual()) return null;
                words.add(w.asText());
            }
            return words;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
