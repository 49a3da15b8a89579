package jbox.lesson;

import jbox.io.Owner;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The private jbox roots lessons run in. Each records the jbox process that made it; one whose
 * maker is gone (killed mid-lesson) is removed the next time a lesson starts.
 */
final class LessonRoots {
    private static final String PREFIX = "jbox-lesson-";

    private LessonRoots() {}

    static Path create() throws IOException {
        Path parent = Path.of(System.getProperty("jbox.lesson.tmp", "/var/tmp"));
        sweep(parent);
        return Owner.createTemp(parent, PREFIX);
    }

    private static void sweep(Path parent) throws IOException {
        Owner.sweep(parent, PREFIX, null);
    }
}
