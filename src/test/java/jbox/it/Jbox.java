package jbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real ./jbox launcher, as a user would, against a private jbox root. */
final class Jbox {
    static final Path HOME = Path.of(System.getProperty("jbox.home", ".")).toAbsolutePath().normalize();

    final Path root;
    final Map<String, String> env = new HashMap<>();

    Jbox(Path root) {
        this.root = root;
        env.put("JBOX_ROOT", root.toString());
        env.put("JBOX_LANG", "en"); // the tests read English messages, whatever the machine's locale
    }

    record Result(int code, String out, String err) {
        String all() { return out + err; }
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(60, args);
    }

    Result run(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        return capture(start(args), timeoutSeconds, "jbox " + String.join(" ", args));
    }

    /** Any command's exit code, stdout and stderr, its stdin closed; one that does not finish in time fails the test. */
    static Result exec(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        return capture(new ProcessBuilder(cmd).start(), timeoutSeconds, String.join(" ", cmd));
    }

    static Result capture(Process p, int timeoutSeconds, String what) throws IOException, InterruptedException {
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        byte[][] bufs = new byte[2][];
        Thread t = new Thread(() -> {
            try {
                bufs[1] = err.readAllBytes();
            } catch (IOException e) {
                bufs[1] = new byte[0];
            }
        });
        t.start();
        bufs[0] = out.readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in " + timeoutSeconds + " s");
        }
        t.join();
        return new Result(p.exitValue(), new String(bufs[0], StandardCharsets.UTF_8), new String(bufs[1], StandardCharsets.UTF_8));
    }

    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("jbox").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Container directories left under the root. */
    List<String> containerDirs() throws IOException {
        Path c = root.resolve("containers");
        if (!Files.isDirectory(c)) return List.of();
        try (var s = Files.list(c)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }

    /** cgroup directories of this container id (or short id: a prefix of it) in any hierarchy of the host. */
    static List<Path> cgroupsOf(String id) throws IOException {
        List<Path> parents = new ArrayList<>();
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) parents.add(h.resolve("jbox"));
        }
        parents.add(Path.of("/sys/fs/cgroup/jbox"));
        List<Path> found = new ArrayList<>();
        for (Path parent : parents) {
            if (!Files.isDirectory(parent)) continue;
            try (var c = Files.list(parent)) {
                c.filter(d -> Files.isDirectory(d) && d.getFileName().toString().startsWith(id)).forEach(found::add);
            }
        }
        return found;
    }

    static String hostMounts() throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo"));
    }
}
