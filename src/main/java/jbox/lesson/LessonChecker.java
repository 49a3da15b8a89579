package jbox.lesson;

import jbox.io.Owner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a lesson unattended: all its commands through `jbox shell --script`, in a jbox root of
 * its own that is removed afterwards, then checks each step's output against its expectations.
 * An expectation line is text that must appear, "explain: TEXT" that must appear when explain mode is
 * on (a system call's line), "re: REGEX" that must match, "not: TEXT" that
 * must not appear, "ratio: REGEX / REGEX = MIN..MAX" (the numbers the two patterns capture, divided,
 * lie in that range), or "fails": the step's last command must fail (a lesson's last step only).
 */
public final class LessonChecker {
    /** A line the shell prints before running a command: its prompt and the command. */
    static final Pattern PROMPT = Pattern.compile("^jbox(\\[[^\\]]*\\])?> (.*)$", Pattern.MULTILINE);

    private LessonChecker() {}

    public record StepResult(Lesson.Step step, boolean passed, String output, String problem) {}

    public record Report(Lesson lesson, String skipped, List<StepResult> steps) {
        /** Every step ran and matched; a skipped lesson has not passed. */
        public boolean passed() { return skipped == null && steps.stream().allMatch(StepResult::passed); }
    }

    public static Report check(Lesson asWritten, List<String> jbox) throws IOException, InterruptedException {
        Lesson lesson = asWritten;
        String lacks = LessonHost.lacks(lesson);
        if (lacks != null) return new Report(lesson, lacks, List.of());
        String missing = LessonRegistry.unavailable(lesson);
        if (missing != null) return new Report(lesson, missing, List.of());
        Path root = LessonRoots.create();
        LessonDaemon daemon = null;
        LessonRegistry registry = null;
        try {
            registry = LessonRegistry.startIfNeeded(lesson, root);
            if (registry != null) lesson = lesson.with(LessonRegistry.VARIABLE, registry.address());
            daemon = LessonDaemon.startIfNeeded(lesson, jbox, root);
            Map<String, String> env = daemon == null ? Map.of() : daemon.env();
            List<String> commands = new ArrayList<>();
            for (Lesson.Step s : lesson.steps()) commands.addAll(s.commands());
            Path script = root.resolve("lesson.jbox");
            Files.write(script, commands);
            String out = run(jbox, List.of("shell", "--script", script.toString()), root, lesson.language(), env);
            return new Report(lesson, null, judge(lesson, out));
        } finally {
            if (daemon != null) daemon.close();
            if (registry != null) registry.close();
            String ids = run(jbox, List.of("ps", "-aq", "--no-trunc"), root, "en", Map.of());
            for (String id : ids.split("\\s+")) if (id.matches("[0-9a-f]{64}")) run(jbox, List.of("rm", "-f", id), root, "en", Map.of());
            Owner.delete(root);
        }
    }

    /** Runs jbox with the lesson's root and language (the shell then speaks the lesson's language). */
    private static String run(List<String> jbox, List<String> args, Path root, String language, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(jbox);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JBOX_ROOT", root.toString());
        pb.environment().put("HOME", root.toString());
        pb.directory(root.toFile()); // files a lesson makes (a Dockerfile) go into its own root
        pb.environment().put("JBOX_LANG", language);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Splits the session's output at its prompts and checks each step's part. */
    static List<StepResult> judge(Lesson lesson, String output) {
        List<String> ran = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Matcher m = PROMPT.matcher(output);
        int lastEnd = -1;
        while (m.find()) {
            if (lastEnd >= 0) outputs.add(output.substring(lastEnd, m.start()));
            ran.add(m.group(2).trim());
            lastEnd = m.end() + 1;
        }
        if (lastEnd >= 0) outputs.add(lastEnd <= output.length() ? output.substring(Math.min(lastEnd, output.length())) : "");
        List<StepResult> results = new ArrayList<>();
        int next = 0;
        for (Lesson.Step step : lesson.steps()) {
            StringBuilder got = new StringBuilder();
            String problem = null;
            for (String c : step.commands()) {
                if (next >= ran.size() || !ran.get(next).equals(c)) {
                    problem = "\"" + c + "\" did not run: the lesson stopped at an earlier command that failed";
                    break;
                }
                got.append(outputs.get(next));
                next++;
            }
            if (problem == null && next == ran.size() && output.contains("jbox shell: stopped at")) {
                String tail = output.substring(output.lastIndexOf("jbox shell: stopped at"));
                boolean expectedToFail = step.expect().contains("fails");
                if (!step.commands().isEmpty() && tail.contains("\"" + step.commands().get(step.commands().size() - 1) + "\"") && !expectedToFail) {
                    problem = "the last command failed: " + tail.lines().findFirst().orElse("");
                }
            }
            if (problem == null) problem = unmet(step.expect(), got.toString());
            results.add(new StepResult(step, problem == null, got.toString(), problem));
        }
        return results;
    }

    static String unmet(List<String> expect, String got) { return unmet(expect, got, true); }

    /** explain says whether explain mode was on: "explain: TEXT" lines (a system call's line) count only then. */
    static String unmet(List<String> expect, String got, boolean explain) {
        for (String e : expect) {
            if (e.startsWith("explain: ")) {
                if (explain && !got.contains(e.substring(9))) return "expected \"" + e.substring(9) + "\" in the output (explain mode shows it)";
                continue;
            }
            if (e.equals("fails")) {
                if (!got.contains("jbox shell: stopped at")) return "expected the step's last command to fail";
            } else if (e.startsWith("re: ")) {
                if (!Pattern.compile(e.substring(4), Pattern.MULTILINE).matcher(got).find()) return "expected output matching /" + e.substring(4) + "/";
            } else if (e.startsWith("ratio: ")) {
                String problem = unmetRatio(e.substring(7), got);
                if (problem != null) return problem;
            } else if (e.startsWith("not: ")) {
                if (got.contains(e.substring(5))) return "expected no \"" + e.substring(5) + "\" in the output";
            } else if (!got.contains(e)) {
                return "expected \"" + e + "\" in the output";
            }
        }
        return null;
    }

    /**
     * The first unmet expectation in words for the learner, in their language: what should show, never
     * a raw pattern (the step's hints follow it).
     */
    static String unmetForLearner(List<String> expect, String got, boolean explain, jbox.text.Say say) {
        for (String e : expect) {
            if (e.equals("fails") || unmet(List.of(e), got, explain) == null) continue;
            if (e.startsWith("explain: ")) return say.text("lesson.expectedCall", e.substring(9));
            if (e.startsWith("not: ")) return say.text("lesson.unexpected", e.substring(5));
            if (e.startsWith("re: ") || e.startsWith("ratio: ")) return say.text("lesson.expectedShape");
            return say.text("lesson.expected", e);
        }
        return null;
    }

    /*
     * A share of a CPU depends on everything else the machine runs (thirty learners on one server, a
     * test suite beside it); the ratio of two shares is what weights decide, so that is what a lesson
     * about weights checks.
     */
    private static String unmetRatio(String spec, String got) {
        Matcher m = RATIO.matcher(spec);
        if (!m.matches()) return "a ratio expectation reads \"ratio: REGEX / REGEX = MIN..MAX\", not \"" + spec + "\"";
        Double top = captured(m.group(1), got), bottom = captured(m.group(2), got);
        if (top == null || bottom == null) return "expected output matching /" + (top == null ? m.group(1) : m.group(2)) + "/";
        double min = Double.parseDouble(m.group(3)), max = Double.parseDouble(m.group(4));
        if (bottom == 0 || top / bottom < min || top / bottom > max) {
            return String.format("expected %s / %s between %s and %s, got %s / %s", m.group(1), m.group(2), m.group(3), m.group(4), top, bottom);
        }
        return null;
    }

    private static final Pattern RATIO = Pattern.compile("(.+) / (.+) = ([\\d.]+)\\.\\.([\\d.]+)");

    private static Double captured(String regex, String got) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(got);
        return m.find() && m.groupCount() >= 1 ? Double.valueOf(m.group(1)) : null;
    }
}
