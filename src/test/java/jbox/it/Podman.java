package jbox.it;

import jbox.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's podman as a test peer, on a private store under a temp dir, set up the way it runs on this
 * kind of host (see ../shared/notes/peers.md): runc, cgroupfs, a file events log, and nofile/nproc limits
 * that root here may set (the hard limits cannot be raised without CAP_SYS_RESOURCE).
 * close() removes the store, any mount under it and the cgroups of its containers.
 */
final class Podman implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/podman");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final List<String> nftTablesBefore;

    record Result(int code, String out) { }

    /** In /tmp: podman refuses a runroot path longer than 50 characters. */
    Podman() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "jbox-podman-");
        Files.writeString(dir.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]
                [engine]
                runtime = "runc"
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                """);
        nftTablesBefore = nftTables();
    }

    /** podman's network backend (netavark) leaves its iptables-nft chains behind: tables it made are removed on close. */
    private static List<String> nftTables() throws IOException {
        try {
            Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.lines().map(String::trim).filter(l -> l.startsWith("table ")).toList() : List.of();
        } catch (IOException | InterruptedException e) {
            return List.of();
        }
    }

    /** The flags that put podman on this private store (CONTAINERS_CONF must point at containers.conf too). */
    List<String> globalArgs() {
        return List.of("--root", dir.resolve("root").toString(), "--runroot", dir.resolve("run").toString(), "--tmpdir", dir.resolve("tmp").toString());
    }

    Path conf() { return dir.resolve("containers.conf"); }

    Result run(String... args) throws IOException, InterruptedException { return runWith(java.util.Map.of(), args); }

    /** podman with more in its environment (which the runtimes it starts inherit). */
    Result runWith(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
        cmd.addAll(globalArgs());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("podman " + String.join(" ", args) + " did not finish in 120 s: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    @Override
    public void close() throws Exception {
        List<String> mine = run("ps", "-aq", "--no-trunc").out().lines().filter(l -> l.matches("[0-9a-f]{64}")).toList();
        run("rm", "-a", "-f");
        run("rmi", "-a", "-f");
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (int i = mounts.size() - 1; i >= 0; i--) {
            String target = mounts.get(i).split(" ")[4];
            if (target.startsWith(dir.toString())) new ProcessBuilder("umount", "-l", target).start().waitFor();
        }
        AtomicFiles.deleteTree(dir);
        for (String table : nftTables()) {
            if (!nftTablesBefore.contains(table)) new ProcessBuilder(("nft delete " + table).split(" ")).start().waitFor();
        }
        // Every podman puts its containers under libpod_parent: this one's go, and the parent when no other podman
        // (another test, someone's own) still uses it.
        for (Path parent : libpodCgroups()) {
            for (String id : mine) removeCgroupTree(parent.resolve("libpod-" + id));
            try {
                Files.deleteIfExists(parent.resolve("conmon")); // where podman puts its conmons, empty once they ended
                Files.deleteIfExists(parent);
            } catch (java.nio.file.FileSystemException inUse) {
                // EBUSY or ENOTEMPTY: another podman's containers are in it
            }
        }
    }

    private static List<Path> libpodCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            for (Path h : hierarchies.toList()) {
                if (Files.isDirectory(h.resolve("libpod_parent"))) found.add(h.resolve("libpod_parent"));
            }
        }
        if (Files.isDirectory(CGROUPS.resolve("libpod_parent"))) found.add(CGROUPS.resolve("libpod_parent"));
        return found;
    }

    /** Cgroup directories go with rmdir, deepest first; their files are not real files. */
    private static void removeCgroupTree(Path cg) throws IOException {
        if (!Files.isDirectory(cg)) return;
        try (Stream<Path> walk = Files.walk(cg)) {
            for (Path d : walk.filter(Files::isDirectory).sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(d);
            }
        }
    }
}
