package jbox.cli;

import jbox.text.Format;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.engine.Errors;
import jbox.lesson.Lesson;
import jbox.lesson.LessonChecker;
import jbox.lesson.Lessons;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** jbox lesson list | check: the course under lessons/, in English or Chinese. */
@Command(name = "lesson", description = "The lessons: list them, or check that they all work", subcommands = {LessonCommand.ListLessons.class, LessonCommand.Start.class, LessonCommand.Check.class, LessonCommand.Reset.class})
final class LessonCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    static Path lessonsDir() { return Engine.open().home().resolve("lessons"); }

    static String language(String flag) {
        try {
            return Lessons.language(flag);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "lessons exist in English (en) and Simplified Chinese (zh)", "use --lang en or --lang zh");
        }
    }

    @Command(name = "list", description = "List the lessons, in order")
    static final class ListLessons implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--lang", description = "en or zh (default: from the locale)") String lang;

        @Override
        public void run() {
            try {
                List<String[]> rows = Format.rows("LESSON", "PROGRESS", "TITLE");
                jbox.lesson.LessonProgress progress = jbox.lesson.LessonProgress.load();
                for (Lesson l : Lessons.in(lessonsDir(), language(lang))) {
                    int done = Math.min(progress.done(l), l.steps().size());
                    rows.add(new String[]{l.id(), done == 0 ? "-" : done + "/" + l.steps().size() + (done == l.steps().size() ? " \u2713" : ""), l.title()});
                }
                spec.commandLine().getOut().print(Format.table(rows));
            } catch (IOException e) {
                throw Errors.explain(e, "cannot read the lessons");
            }
        }
    }

    @Command(name = "start", description = "Take a lesson interactively: type each step's commands, see them checked; progress is saved")
    static final class Start implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--lang", description = "en or zh (default: from the locale)") String lang;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try {
                Lesson lesson = Lessons.in(lessonsDir(), language(lang)).stream().filter(l -> l.id().equals(name)).findFirst()
                        .orElseThrow(() -> new Failure("no lesson " + name, "lesson names are in jbox lesson list", "check the name"));
                return jbox.lesson.LessonSession.start(lesson, SelfCommand.argv());
            } catch (IOException e) {
                throw Errors.explain(e, "cannot start the lesson");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
        }
    }

    @Command(name = "reset", description = "Start a lesson (or, without a name, every lesson) from its first step again")
    static final class Reset implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--lang", description = "en or zh (default: from the locale)") String lang;
        @Parameters(arity = "0..1", paramLabel = "NAME") String name;

        @Override
        public void run() {
            try {
                jbox.lesson.LessonProgress progress = jbox.lesson.LessonProgress.load();
                if (name == null) {
                    progress.reset(null);
                    spec.commandLine().getOut().println(jbox.text.Say.t("lesson.resetAll"));
                    return;
                }
                Lesson lesson = Lessons.in(lessonsDir(), language(lang)).stream().filter(l -> l.id().equals(name)).findFirst()
                        .orElseThrow(() -> new Failure("no lesson " + name, "lesson names are in jbox lesson list", "check the name"));
                progress.reset(lesson);
                spec.commandLine().getOut().println(jbox.text.Say.t("lesson.reset", name));
            } catch (IOException e) {
                throw Errors.explain(e, "cannot reset the lesson's progress");
            }
        }
    }

    @Command(name = "check", description = "Run every step of lessons unattended and report any mismatch (exit 1 if one fails, 2 if none failed but some could not run here)")
    static final class Check implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--lang", description = "en or zh (default: both, for a directory)") String lang;
        @Option(names = "--jobs", description = "lessons checked at once, each in a jbox root of its own (default: one per CPU)") Integer jobs;
        @Parameters(arity = "0..1", paramLabel = "NAME|DIR") String target;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                List<Lesson> lessons;
                Path asDir = target == null ? lessonsDir() : Path.of(target);
                if (Files.isDirectory(asDir)) {
                    lessons = Lessons.in(asDir, lang == null ? null : language(lang));
                } else {
                    lessons = Lessons.in(lessonsDir(), language(lang)).stream().filter(l -> l.id().equals(target)).toList();
                    if (lessons.isEmpty()) throw new Failure("no lesson " + target, "lesson names are in jbox lesson list", "check the name");
                }
                int failed = 0;
                int skipped = 0;
                int n = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
                if (n < 1) throw new Failure("--jobs " + n + " checks nothing", "it is how many lessons run at once", "give 1 or more");
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
                List<java.util.concurrent.Future<LessonChecker.Report>> reports = new java.util.ArrayList<>();
                for (Lesson l : lessons) reports.add(pool.submit(() -> LessonChecker.check(l, SelfCommand.argv())));
                pool.shutdown();
                for (int i = 0; i < lessons.size(); i++) {
                    Lesson l = lessons.get(i);
                    LessonChecker.Report r = report(reports.get(i));
                    if (r.skipped() != null) {
                        skipped++;
                        out.println("SKIP " + l.language() + "/" + l.id() + ": " + r.skipped());
                        continue;
                    }
                    out.println((r.passed() ? "PASS " : "FAIL ") + l.language() + "/" + l.id() + "  " + l.title());
                    for (LessonChecker.StepResult s : r.steps()) {
                        if (s.passed()) continue;
                        out.println("  step \"" + s.step().title() + "\": " + s.problem());
                        out.println("  its output was:");
                        s.output().lines().limit(20).forEach(line -> out.println("    | " + line));
                    }
                    if (!r.passed()) failed++;
                    out.flush();
                }
                out.println((lessons.size() - failed - skipped) + " passed, " + failed + " failed, " + skipped + " skipped");
                return failed > 0 ? 1 : skipped > 0 ? 2 : 0; // a lesson that could not run has not passed
            } catch (IOException e) {
                throw Errors.explain(e, "cannot check the lessons");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
        }

        private static LessonChecker.Report report(java.util.concurrent.Future<LessonChecker.Report> f) throws IOException, InterruptedException {
            try {
                return f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
