package jbox.lesson;

import jbox.daemon.Daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The daemon a lesson that `requires: daemon` talks to: a real `jbox daemon` for the lesson's own
 * root, on a socket inside it, started before the lesson and stopped (with its containers) after.
 */
final class LessonDaemon implements AutoCloseable {
    private final Process keeper;
    private final Path socket;

    private LessonDaemon(Process keeper, Path socket) {
        this.keeper = keeper;
        this.socket = socket;
    }

    /** Starts one when the lesson needs it; null otherwise. */
    static LessonDaemon startIfNeeded(Lesson lesson, List<String> jbox, Path root) throws IOException, InterruptedException {
        if (!lesson.requires().contains("daemon")) return null;
        Path socket = root.resolve("jbox.sock");
        List<String> cmd = new ArrayList<>(jbox);
        cmd.addAll(List.of("daemon", "-H", "unix://" + socket, "--trace")); // the learner watches requests find their handlers in daemon.log
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("daemon.log").toFile()));
        pb.environment().put("JBOX_ROOT", root.toString());
        Process p = pb.start();
        // two JVMs start (keeper and server): on a busy machine (a class, a test suite) that takes seconds
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Daemon.answers(socket) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        if (!Daemon.answers(socket)) {
            // SIGTERM first: the keeper stops the server it may have started (a SIGKILL would orphan it)
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            String log = java.nio.file.Files.exists(root.resolve("daemon.log")) ? java.nio.file.Files.readString(root.resolve("daemon.log")).strip() : "";
            throw new jbox.sys.Failure("the lesson's daemon did not start" + (p.exitValue() == 0 ? "" : " (exit " + p.exitValue() + ")"),
                    log.isEmpty() ? "it answered nothing within a minute on " + socket : "it said: " + log.lines().reduce((a, b) -> b).orElse(log),
                    "run jbox daemon -H unix://" + socket + " yourself to see why");
        }
        return new LessonDaemon(p, socket);
    }

    /** What the lesson's shell needs to use it. */
    Map<String, String> env() { return Map.of("JBOX_HOST", "unix://" + socket); }

    @Override
    public void close() throws InterruptedException {
        keeper.destroy(); // SIGTERM: it stops the lesson's containers and removes its socket
        if (!keeper.waitFor(30, TimeUnit.SECONDS)) keeper.destroyForcibly();
    }
}
