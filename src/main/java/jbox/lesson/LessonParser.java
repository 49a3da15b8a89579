package jbox.lesson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the lesson format (lessons/README.md describes it for teachers): front matter between
 * "---" lines (id, title, requires), an introduction, then one "## " section per step.
 */
public final class LessonParser {
    private LessonParser() {}

    public static Lesson parse(Path file, String language) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, String> meta = new LinkedHashMap<>();
        int i = 0;
        if (!lines.isEmpty() && lines.get(0).equals("---")) {
            for (i = 1; i < lines.size() && !lines.get(i).equals("---"); i++) {
                int colon = lines.get(i).indexOf(':');
                if (colon > 0) meta.put(lines.get(i).substring(0, colon).trim(), lines.get(i).substring(colon + 1).trim());
            }
            i++;
        }
        String id = meta.getOrDefault("id", file.getFileName().toString().replaceFirst("\\.md$", ""));
        Set<String> requires = new LinkedHashSet<>();
        for (String r : meta.getOrDefault("requires", "").split(",")) if (!r.isBlank()) requires.add(r.trim());
        StringBuilder intro = new StringBuilder();
        String title = meta.get("title");
        List<Lesson.Step> steps = new ArrayList<>();
        StepBuilder step = null;
        for (; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("# ") && title == null) {
                title = line.substring(2).trim();
            } else if (line.startsWith("## ")) {
                if (step != null) steps.add(step.build());
                step = new StepBuilder(line.substring(3).trim());
            } else if (line.startsWith("```")) {
                String kind = line.substring(3).trim();
                List<String> block = new ArrayList<>();
                for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) block.add(lines.get(i));
                if (step == null) continue;
                if (kind.equals("jbox")) {
                    for (String b : block) if (!b.isBlank() && !b.trim().startsWith("#")) step.commands.add(b.trim());
                } else if (kind.equals("expect")) {
                    for (String b : block) if (!b.isBlank()) step.expect.add(b);
                } else {
                    step.text.append("```").append(kind).append('\n').append(String.join("\n", block)).append("\n```\n");
                }
            } else if (step == null) {
                intro.append(line).append('\n');
            } else if (line.startsWith("> ")) {
                step.hints.add(line.substring(2).replaceAll("\\*\\*[^*]+\\*\\*\\s*", "").trim());
            } else if (line.startsWith("**") && line.indexOf("**", 2) > 0 && step.text.length() > 0 && isWhy(line)) {
                step.why = line.substring(line.indexOf("**", 2) + 2).trim();
            } else {
                step.text.append(line).append('\n');
            }
        }
        if (step != null) steps.add(step.build());
        if (steps.isEmpty()) throw new IOException(file + " has no steps: each step starts with a line \"## Step title\"");
        return new Lesson(id, title == null ? id : title, language, requires, intro.toString().strip(), steps);
    }

    private static boolean isWhy(String line) {
        String head = line.substring(2, line.indexOf("**", 2)).toLowerCase();
        return head.startsWith("why it matters") || head.startsWith("为什么重要");
    }

    private static final class StepBuilder {
        final String title;
        final StringBuilder text = new StringBuilder();
        final List<String> commands = new ArrayList<>();
        final List<String> expect = new ArrayList<>();
        final List<String> hints = new ArrayList<>();
        String why = "";

        StepBuilder(String title) { this.title = title; }

        Lesson.Step build() { return new Lesson.Step(title, text.toString().strip(), commands, expect, hints, why); }
    }
}
