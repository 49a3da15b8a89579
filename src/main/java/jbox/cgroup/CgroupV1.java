package jbox.cgroup;

import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A container cgroup on cgroup v1: one directory per controller hierarchy. Threads can move alone. */
final class CgroupV1 implements Cgroup {
    private final List<Path> dirs;
    private final String path;

    private CgroupV1(List<Path> dirs, String path) {
        this.dirs = dirs;
        this.path = path;
    }

    static CgroupV1 create(List<Path> hierarchies, String path) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path h : hierarchies) {
            Path dir = h.resolve(path.substring(1));
            mkdirs(h, dir);
            dirs.add(dir);
        }
        return new CgroupV1(dirs, path);
    }

    static CgroupV1 existing(List<Path> hierarchies, String path) {
        List<Path> dirs = new ArrayList<>();
        for (Path h : hierarchies) {
            Path dir = h.resolve(path.substring(1));
            if (Files.isDirectory(dir)) dirs.add(dir);
        }
        return dirs.isEmpty() ? null : new CgroupV1(dirs, path);
    }

    /** cpuset cgroups start with no cpus and mems, and refuse tasks until given their parent's. */
    private static void mkdirs(Path hierarchy, Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.getParent();
        if (!parent.equals(hierarchy)) mkdirs(hierarchy, parent);
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.NoSuchFileException e) {
            mkdirs(hierarchy, dir); // the parent was removed meanwhile by a jbox cleaning up its last container
            return;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return; // another jbox made it meanwhile
        }
        if (Files.exists(dir.resolve("cpuset.cpus"))) {
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFiles.read(dir.resolve(f)).isEmpty()) CgroupFiles.write(dir.resolve(f), CgroupFiles.read(parent.resolve(f)));
            }
        }
    }

    @Override
    public String path() { return path; }

    @Override
    public boolean joinThread(int tid) {
        for (Path d : dirs) CgroupFiles.write(d.resolve("tasks"), Integer.toString(tid));
        return true;
    }

    @Override
    public void addProcess(int pid) {
        for (Path d : dirs) CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public List<Integer> pids() {
        Set<Integer> all = new LinkedHashSet<>();
        for (Path d : dirs) all.addAll(CgroupFiles.pids(d.resolve("cgroup.procs")));
        return new ArrayList<>(all);
    }

    @Override
    public void destroy() {
        Path freezer = dirs.stream().filter(d -> Files.exists(d.resolve("freezer.state"))).findFirst().orElse(null);
        for (int round = 0; round < 100; round++) {
            List<Integer> pids = pids();
            if (pids.isEmpty() || pids.equals(List.of(Sys.getpid()))) break;
            for (int pid : pids) if (pid != Sys.getpid()) Sys.signal(pid, Linux.SIGKILL);
            if (freezer != null) CgroupFiles.write(freezer.resolve("freezer.state"), "THAWED"); // frozen tasks cannot die
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Path d : dirs) {
            CgroupFiles.remove(d);
            CgroupFiles.removeIfEmpty(d.getParent());
        }
    }
}
