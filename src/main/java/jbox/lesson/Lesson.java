package jbox.lesson;

import java.util.List;
import java.util.Set;

/**
 * A lesson read from its Markdown file: narrative, then steps, each with the commands to type
 * (```jbox blocks), what to look for in their output (```expect blocks), hints and why it matters.
 */
public record Lesson(String id, String title, String language, Set<String> requires, String intro, List<Step> steps) {

    public record Step(String title, String text, List<String> commands, List<String> expect, List<String> hints, String why) {}
}
