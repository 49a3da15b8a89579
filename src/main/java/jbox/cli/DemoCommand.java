package jbox.cli;

import jbox.sys.Failure;
import jbox.engine.Errors;
import jbox.lesson.Lesson;
import jbox.lesson.LessonSession;
import jbox.lesson.Lessons;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

/** jbox demo: the classroom demo, a lesson (lessons/demo) played in presenter mode. */
@Command(name = "demo", description = "The classroom demo of namespaces and cgroups, one step per key press")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--lang", description = "en or zh (default: from the locale)") String lang;
    @Option(names = "--from", defaultValue = "1", description = "Start at this step (earlier ones are replayed quietly)") int from;
    @Option(names = "--timed", paramLabel = "SECONDS", description = "Move on by itself after this many seconds per step") Double timed;

    @Override
    public Integer call() {
        try {
            String language = LessonCommand.language(lang);
            Lesson demo = Lessons.in(LessonCommand.lessonsDir().resolve("demo"), language).stream().findFirst()
                    .orElseThrow(() -> new Failure("the demo is missing", "it lives in lessons/demo/" + language + "/demo.md", "restore it from the repository"));
            return LessonSession.present(demo, SelfCommand.argv(), from, timed);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot play the demo");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
