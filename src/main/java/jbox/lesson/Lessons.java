package jbox.lesson;

import jbox.text.Say;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds lessons: lessons/LANG/*.md under jbox's home, in the learner's language. */
public final class Lessons {
    public static final List<String> LANGUAGES = Say.LANGUAGES;

    private Lessons() {}

    /** The language to teach in: the flag, else the locale (LANG, LC_ALL), else English. */
    public static String language(String flag) { return Say.language(flag); }

    /** Lesson files of a directory: a language directory, or a lessons root holding en/ and zh/. */
    public static List<Lesson> in(Path dir, String onlyLanguage) throws IOException {
        List<Lesson> out = new ArrayList<>();
        boolean root = LANGUAGES.stream().anyMatch(l -> Files.isDirectory(dir.resolve(l)));
        if (root) {
            for (String l : LANGUAGES) {
                if ((onlyLanguage == null || onlyLanguage.equals(l)) && Files.isDirectory(dir.resolve(l))) out.addAll(files(dir.resolve(l), l));
            }
        } else {
            out.addAll(files(dir, onlyLanguage == null ? dir.getFileName().toString() : onlyLanguage));
        }
        return out;
    }

    private static List<Lesson> files(Path dir, String language) throws IOException {
        List<Lesson> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".md") && !f.getFileName().toString().equals("README.md")).sorted().toList()) {
                out.add(LessonParser.parse(p, language));
            }
        }
        return out;
    }
}
