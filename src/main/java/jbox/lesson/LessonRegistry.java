package jbox.lesson;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The registry a lesson that `requires: registry` pushes to: Debian's docker-registry on
 * 127.0.0.1:5000 (the address the lesson's commands name), storing into the lesson's own root,
 * started before the lesson and stopped after.
 */
final class LessonRegistry implements AutoCloseable {
    static final int PORT = 5000;
    private final Process registry;

    private LessonRegistry(Process registry) { this.registry = registry; }

    /** Why the lesson cannot have its registry here, or null when it can (or needs none). */
    static String unavailable(Lesson lesson) {
        if (!lesson.requires().contains("registry")) return null;
        if (!onPath("docker-registry")) return "it needs Debian's docker-registry: apt-get install docker-registry (./run-tests installs it)";
        try (ServerSocket probe = new ServerSocket(PORT, 1, InetAddress.getLoopbackAddress())) {
            return null;
        } catch (IOException e) {
            return "it runs a registry on 127.0.0.1:" + PORT + ", and something else listens there";
        }
    }

    static LessonRegistry startIfNeeded(Lesson lesson, Path root) throws IOException, InterruptedException {
        if (!lesson.requires().contains("registry")) return null;
        Path config = root.resolve("registry.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " + root.resolve("registry")
                + "\nhttp:\n  addr: 127.0.0.1:" + PORT + "\n");
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("registry.log").toFile())).start();
        for (int i = 0; i < 200 && p.isAlive(); i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), PORT)) {
                return new LessonRegistry(p);
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        p.destroyForcibly();
        throw new IOException("the lesson's registry did not start; see " + root.resolve("registry.log"));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        registry.destroy();
        if (!registry.waitFor(20, TimeUnit.SECONDS)) registry.destroyForcibly();
    }
}
