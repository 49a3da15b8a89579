package jbox.lesson;

import jbox.image.AtomicFiles;
import jbox.runtime.Processes;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
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
        Path root = Files.createTempDirectory(parent, PREFIX);
        int me = Sys.getpid();
        Files.writeString(root.resolve("owner"), me + " " + Processes.startTime(me));
        return root;
    }

    private static void sweep(Path parent) throws IOException {
        try (var s = Files.list(parent)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
                String[] owner = Files.exists(d.resolve("owner")) ? Files.readString(d.resolve("owner")).split(" ") : new String[0];
                boolean alive = owner.length == 2 && Processes.isSame(Integer.parseInt(owner[0]), Long.parseLong(owner[1]));
                if (!alive) AtomicFiles.deleteTree(d);
            }
        }
    }
}
