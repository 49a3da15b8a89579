package jbox.lesson;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The registry a lesson that `requires: registry` pushes to: Debian's docker-registry on a loopback
 * port of its own, storing into the lesson's own root, started before the lesson and stopped after.
 * Thirty learners taking the lesson at once get thirty registries: the lesson names its address
 * $REGISTRY, and the lesson runner writes the real one in.
 */
final class LessonRegistry implements AutoCloseable {
    /** How a lesson names its registry's address. */
    static final String VARIABLE = "REGISTRY";
    private static final int ATTEMPTS = 5;
    private final Process registry;
    private final int port;

    private LessonRegistry(Process registry, int port) {
        this.registry = registry;
        this.port = port;
    }

    /** Why the lesson cannot have its registry here, or null when it can (or needs none). */
    static String unavailable(Lesson lesson) {
        if (!lesson.requires().contains("registry")) return null;
        if (!onPath("docker-registry")) return "it needs Debian's docker-registry: apt-get install docker-registry (./run-tests installs it)";
        return null;
    }

    static LessonRegistry startIfNeeded(Lesson lesson, Path root) throws IOException, InterruptedException {
        if (!lesson.requires().contains("registry")) return null;
        // a port free a moment ago can be taken before the registry binds it: then another one
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            LessonRegistry r = start(root, freePort());
            if (r != null) return r;
        }
        throw new IOException("the lesson's registry did not start; see " + root.resolve("registry.log"));
    }

    private static LessonRegistry start(Path root, int port) throws IOException, InterruptedException {
        Path config = root.resolve("registry.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " + root.resolve("registry")
                + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("registry.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.isAlive() && System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                if (p.isAlive()) return new LessonRegistry(p, port);
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        p.destroyForcibly();
        p.waitFor();
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** What $REGISTRY stands for in this lesson. */
    String address() { return "127.0.0.1:" + port; }

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
