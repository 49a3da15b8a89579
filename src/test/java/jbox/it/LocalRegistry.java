package jbox.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's docker-registry (the CNCF distribution registry) on a free port of 127.0.0.1, storing under
 * dir; auth is extra YAML (htpasswd or token). close() stops it; the data goes with the test's root.
 */
final class LocalRegistry implements AutoCloseable {
    final String host;
    private final Process process;

    LocalRegistry(Path dir, String name, String auth) throws Exception {
        host = "127.0.0.1:" + freePort();
        Files.createDirectories(dir);
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve(name + "-data")
                + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host + "\n" + auth);
        process = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(host.substring(host.indexOf(':') + 1)))) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        fail("registry " + name + " did not start: " + Files.readString(dir.resolve(name + ".log")));
    }

    static boolean installed() { return installed("docker-registry"); }

    static boolean installed(String tool) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the registry stopped");
    }
}
