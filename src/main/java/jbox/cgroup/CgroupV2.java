package jbox.cgroup;

import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A container cgroup on the unified hierarchy (cgroup v2): one directory, whole processes only. */
final class CgroupV2 implements Cgroup {
    private final Path dir;
    private final String path;

    private CgroupV2(Path dir, String path) {
        this.dir = dir;
        this.path = path;
    }

    static CgroupV2 create(Path unified, String path) throws IOException {
        Path dir = unified.resolve(path.substring(1));
        Files.createDirectories(dir);
        return new CgroupV2(dir, path);
    }

    static CgroupV2 existing(Path unified, String path) {
        Path dir = unified.resolve(path.substring(1));
        return Files.isDirectory(dir) ? new CgroupV2(dir, path) : null;
    }

    @Override
    public String path() { return path; }

    /** v2 moves only whole processes (outside threaded subtrees): the engine moves the gated child instead. */
    @Override
    public boolean joinThread(int tid) { return false; }

    @Override
    public void addProcess(int pid) { CgroupFiles.write(dir.resolve("cgroup.procs"), Integer.toString(pid)); }

    @Override
    public List<Integer> pids() { return CgroupFiles.pids(dir.resolve("cgroup.procs")); }

    @Override
    public void destroy() {
        if (Files.exists(dir.resolve("cgroup.kill"))) {
            if (!pids().isEmpty()) CgroupFiles.write(dir.resolve("cgroup.kill"), "1");
        }
        for (int round = 0; round < 100 && !pids().isEmpty(); round++) {
            for (int pid : pids()) if (pid != Sys.getpid()) Sys.signal(pid, Linux.SIGKILL);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        CgroupFiles.remove(dir);
        CgroupFiles.removeIfEmpty(dir.getParent());
    }
}
