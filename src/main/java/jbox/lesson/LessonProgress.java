package jbox.lesson;

import jbox.io.LearnerHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How far the learner got in each lesson: ~/.jbox_lessons (the sudo user's home under sudo), one line
 * per lesson and language, "en/05-uts=2" meaning step 3 is next.
 */
public final class LessonProgress {
    private final Path file;
    private final Properties steps = new Properties();

    private LessonProgress(Path file) { this.file = file; }

    public static LessonProgress load() throws IOException {
        LessonProgress p = new LessonProgress(LearnerHome.dir().resolve(".jbox_lessons"));
        if (Files.exists(p.file)) {
            try (var in = Files.newBufferedReader(p.file)) {
                p.steps.load(in);
            }
        }
        return p;
    }

    private static String key(Lesson l) { return l.language() + "/" + l.id(); }

    /** The number of steps done (the next step's index). */
    public int done(Lesson l) {
        try {
            return Integer.parseInt(steps.getProperty(key(l), "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    void save(Lesson l, int done) throws IOException {
        steps.setProperty(key(l), Integer.toString(done));
        store();
    }

    /** Forgets a lesson's progress (or every lesson's when l is null); true if there was any. */
    public boolean reset(Lesson l) throws IOException {
        boolean had = l == null ? !steps.isEmpty() : steps.remove(key(l)) != null;
        if (l == null) steps.clear();
        store();
        return had;
    }

    private void store() throws IOException {
        try (var w = Files.newBufferedWriter(file)) {
            steps.store(w, "jbox lesson progress: language/lesson=steps done");
        }
        LearnerHome.own(file);
    }
}
