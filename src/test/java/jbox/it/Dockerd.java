package jbox.it;

import jbox.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's dockerd (with its containerd) as a test peer, on private directories under /var/tmp,
 * with no bridge or iptables rules, and jbox-runc added as the runtime "jbox". close() removes its
 * containers and images, stops it, and removes every mount and file it made.
 */
final class Dockerd implements AutoCloseable {
    /** containerd names its containers' parent cgroup for the namespace: one of its own, for tests side by side. */
    private final String namespace;
    final Path dir;
    final Path socket;
    private final Process process;

    Dockerd(Path runtime) throws Exception {
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "jbox-dockerd-");
        namespace = "jboxtest-" + dir.getFileName().toString().substring("jbox-dockerd-".length());
        socket = dir.resolve("d.sock");
        process = new ProcessBuilder("/usr/sbin/dockerd", "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("pid").toString(), "-H", "unix://" + socket, "--bridge=none", "--iptables=false", "--ip-masq=false",
                "--add-runtime", "jbox=" + runtime, "--cgroup-parent", "/" + namespace).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        for (int i = 0; i < 300 && docker("version").code() != 0; i++) Thread.sleep(100);
        if (docker("version").code() != 0) throw new IllegalStateException("dockerd did not come up: " + Files.readString(dir.resolve("log")));
    }

    Jbox.Result docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        return OciRuntimeTest.sh(120, cmd.toArray(String[]::new));
    }

    /** containerd's own client, on dockerd's containerd, in a namespace of the test's. */
    Jbox.Result ctr(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctr", "-a", dir.resolve("exec/containerd/containerd.sock").toString(), "-n", namespace));
        cmd.addAll(List.of(args));
        return OciRuntimeTest.sh(120, cmd.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        for (String id : docker("ps", "-aq").out().lines().toList()) docker("rm", "-f", id);
        docker("image", "prune", "-af");
        for (String c : ctr("containers", "ls", "-q").out().lines().toList()) {
            ctr("tasks", "kill", "-s", "SIGKILL", c);
            ctr("tasks", "rm", "-f", c);
            ctr("containers", "rm", c);
        }
        for (String i : ctr("images", "ls", "-q").out().lines().toList()) ctr("images", "rm", i);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (int i = mounts.size() - 1; i >= 0; i--) {
            String target = mounts.get(i).split(" ")[4];
            if (target.startsWith(dir.toString())) new ProcessBuilder("umount", "-l", target).start().waitFor();
        }
        AtomicFiles.deleteTree(dir);
        // containerd puts its containers' cgroups under one named for its namespace, and dockerd here under the same
        // name (--cgroup-parent; else under "docker", shared with any other dockerd); like runc, jbox-runc removes only
        // a container's own, so the parent goes here
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) Files.deleteIfExists(h.resolve(namespace));
        }
        Files.deleteIfExists(Path.of("/sys/fs/cgroup", namespace));
    }
}
