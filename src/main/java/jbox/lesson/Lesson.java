package jbox.lesson;

import java.util.List;
import java.util.Set;

/**
 * A lesson read from its Markdown file: narrative, then steps, each with the commands to type
 * (```jbox blocks), what to look for in their output (```expect blocks), hints and why it matters.
 */
public record Lesson(String id, String title, String language, Set<String> requires, String intro, List<Step> steps) {

    public record Step(String title, String text, List<String> commands, List<String> expect, List<String> hints, String why) {
        Step with(String variable, String value) {
            return new Step(put(title, variable, value), put(text, variable, value), put(commands, variable, value),
                    put(expect, variable, value), put(hints, variable, value), put(why, variable, value));
        }
    }

    /** The lesson with $VARIABLE written as value everywhere (its registry's address, which differs per learner). */
    public Lesson with(String variable, String value) {
        return new Lesson(id, put(title, variable, value), language, requires, put(intro, variable, value),
                steps.stream().map(s -> s.with(variable, value)).toList());
    }

    private static String put(String text, String variable, String value) {
        return text == null ? null : text.replace("$" + variable, value);
    }

    private static List<String> put(List<String> texts, String variable, String value) {
        return texts.stream().map(t -> put(t, variable, value)).toList();
    }
}
