package jbox.cgroup;

import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A container's cgroup: one directory per hierarchy in use, and which controller lives where. */
final class ContainerCgroup implements Cgroup {
    private final Map<String, Path> dirs;
    private final Map<String, Boolean> unified;
    private final Path core;
    private final String path;
    private final String mode;
    private final Set<String> madeParents = new java.util.TreeSet<>();

    private ContainerCgroup(Map<String, Path> dirs, Map<String, Boolean> unified, Path core, String path, String mode) {
        this.dirs = dirs;
        this.unified = unified;
        this.core = core;
        this.path = path;
        this.mode = mode;
    }

    static ContainerCgroup create(Map<String, Hierarchy> byController, Hierarchy coreTree, String path, String mode) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, Boolean> unified = new LinkedHashMap<>();
        Set<Hierarchy> trees = new LinkedHashSet<>(byController.values());
        List<Path> made = new ArrayList<>();
        for (Hierarchy h : trees) {
            if (h.unified()) enableControllers(h.mount(), h.mount().resolve(path.substring(1)).getParent(), h.controllers(), made);
        }
        for (Map.Entry<String, Hierarchy> e : byController.entrySet()) {
            Hierarchy h = e.getValue();
            Path dir = h.mount().resolve(path.substring(1));
            mkdirs(h.mount(), dir, made);
            dirs.put(e.getKey(), dir);
            unified.put(e.getKey(), h.unified());
        }
        Path core = null;
        if (coreTree != null) {
            core = coreTree.mount().resolve(path.substring(1));
            mkdirs(coreTree.mount(), core, made);
        }
        ContainerCgroup g = new ContainerCgroup(dirs, unified, core, path, mode);
        Set<Hierarchy> all = new LinkedHashSet<>(trees);
        if (coreTree != null) all.add(coreTree);
        for (Path m : made) {
            for (Hierarchy h : all) {
                String group = m.startsWith(h.mount()) ? "/" + h.mount().relativize(m) : path;
                if (!group.equals(path)) g.madeParents.add(group);
            }
        }
        Devices.restrict(g);
        return g;
    }

    static ContainerCgroup existing(Map<String, Hierarchy> byController, Hierarchy coreTree, String path, String mode) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, Boolean> unified = new LinkedHashMap<>();
        byController.forEach((c, h) -> {
            Path dir = h.mount().resolve(path.substring(1));
            if (Files.isDirectory(dir)) {
                dirs.put(c, dir);
                unified.put(c, h.unified());
            }
        });
        Path core = coreTree == null ? null : coreTree.mount().resolve(path.substring(1));
        if (core != null && !Files.isDirectory(core)) core = null;
        return dirs.isEmpty() && core == null ? null : new ContainerCgroup(dirs, unified, core, path, mode);
    }

    /**
     * cgroup v2 hands a controller to a child only if every ancestor lists it in
     * cgroup.subtree_control: switch on the ones jbox uses, from the root down to the parent.
     */
    private static void enableControllers(Path mount, Path parent, Set<String> available, List<Path> made) throws IOException {
        List<Path> chain = new ArrayList<>();
        for (Path p = parent; p != null && p.startsWith(mount); p = p.getParent()) chain.add(0, p);
        for (Path p : chain) {
            createChain(mount, p, made);
            Path control = p.resolve("cgroup.subtree_control");
            Set<String> on = words(p.resolve("cgroup.subtree_control"));
            for (String c : words(p.resolve("cgroup.controllers"))) {
                if (available.contains(c) && !on.contains(c) && List.of("cpu", "cpuset", "memory", "pids", "io").contains(c)) {
                    CgroupFiles.write(control, "+" + c);
                }
            }
        }
    }

    private static Set<String> words(Path file) {
        Set<String> out = new LinkedHashSet<>();
        if (!Files.exists(file)) return out;
        for (String w : CgroupFiles.read(file).split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    private static void mkdirs(Path hierarchy, Path dir, List<Path> made) throws IOException {
        createChain(hierarchy, dir, made);
        if (Files.exists(dir.resolve("cpuset.cpus")) && !Files.exists(dir.resolve("cgroup.controllers"))) fillCpusets(hierarchy, dir);
    }

    /** mkdir -p below the hierarchy's root, adding each directory this call made to made. */
    private static void createChain(Path hierarchy, Path dir, List<Path> made) throws IOException {
        if (dir.equals(hierarchy) || Files.isDirectory(dir)) return;
        Path parent = dir.getParent();
        if (!parent.equals(hierarchy)) createChain(hierarchy, parent, made);
        try {
            Files.createDirectory(dir);
            made.add(dir);
        } catch (java.nio.file.NoSuchFileException e) {
            createChain(hierarchy, dir, made); // the parent was removed meanwhile by a jbox cleaning up its last container
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another jbox made it meanwhile
        }
    }

    /**
     * cpuset cgroups on v1 start with no cpus and mems, and refuse tasks (ENOSPC) until given their
     * parent's. Every level is checked, not only the ones this call made: a parallel jbox may have
     * made the shared parent a moment ago and not yet filled it.
     */
    private static void fillCpusets(Path hierarchy, Path dir) {
        if (dir.equals(hierarchy)) return;
        Path parent = dir.getParent();
        fillCpusets(hierarchy, parent);
        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
            if (CgroupFiles.read(dir.resolve(f)).isEmpty()) CgroupFiles.write(dir.resolve(f), CgroupFiles.read(parent.resolve(f)));
        }
    }

    @Override
    public List<String> madeParents() { return List.copyOf(madeParents); }

    /** The directory that holds a controller, or null when the host lacks it. */
    Path dir(String controller) { return dirs.get(controller); }

    boolean isUnified(String controller) { return Boolean.TRUE.equals(unified.get(controller)); }

    /** The unified directory on a pure v2 host (core files: cgroup.procs, cgroup.freeze, cgroup.kill), else null. */
    Path core() { return core; }

    /** Like {@link #dir} but a clear error naming the flag when the host lacks the controller. */
    Path require(String controller, String flag) {
        Path d = dirs.get(controller);
        if (d == null) {
            throw new CgroupException(flag + " needs the cgroup \"" + controller + "\" controller, which this host does not offer"
                    + " (" + mode + " cgroups; mounted controllers: " + String.join(", ", dirs.keySet()) + ")."
                    + " Enable it in the kernel or boot options, or drop the flag.", null);
        }
        return d;
    }

    private Set<Path> allDirs() {
        Set<Path> all = new LinkedHashSet<>(dirs.values());
        if (core != null) all.add(core);
        return all;
    }

    @Override
    public String path() { return path; }

    @Override
    public String mode() { return mode; }

    @Override
    public boolean joinThread(int tid) { return joinThreadExcept(tid, null); }

    @Override
    public boolean joinThreadExcept(int tid, String controller) {
        if (core != null || unified.containsValue(true)) return false;
        Path skip = controller == null ? null : dirs.get(controller);
        for (Path d : allDirs()) if (!d.equals(skip)) CgroupFiles.write(d.resolve("tasks"), Integer.toString(tid));
        return true;
    }

    @Override
    public void moveThread(int tid, String controller, boolean in) {
        Path dir = dirs.get(controller);
        if (dir == null || isUnified(controller)) return;
        String d = dir.toString();
        Path target = in ? dir : Path.of(d.substring(0, d.length() - path.length()));
        CgroupFiles.write(target.resolve("tasks"), Integer.toString(tid));
    }

    @Override
    public void addProcess(int pid) {
        for (Path d : allDirs()) CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public List<Integer> pids() {
        Set<Integer> all = new LinkedHashSet<>();
        for (Path d : allDirs()) all.addAll(CgroupFiles.pids(d.resolve("cgroup.procs")));
        return new ArrayList<>(all);
    }

    @Override
    public void deviceRules(List<String> rules) { Devices.add(this, rules); }

    @Override
    public void apply(Resources r) {
        Memory.apply(this, r);
        Cpu.apply(this, r);
        Pids.apply(this, r);
        BlockIo.apply(this, r);
    }

    @Override
    public Usage usage() {
        Memory.Reading m = Memory.read(this);
        long[] io = BlockIo.read(this);
        return new Usage(Cpu.usageNanos(this), m.usage(), m.maxUsage(), m.limit(), Pids.current(this), Pids.limit(this),
                io[0], io[1], m.oomKills());
    }

    @Override
    public long oomKills() { return Memory.oomKills(this); }

    @Override
    public void freeze() { Freezer.set(this, true); }

    @Override
    public void thaw() { Freezer.set(this, false); }

    @Override
    public boolean frozen() { return Freezer.isFrozen(this); }

    @Override
    public void kill(int signal) {
        if (signal == Linux.SIGKILL && core != null && Files.exists(core.resolve("cgroup.kill"))) {
            if (!pids().isEmpty()) CgroupFiles.write(core.resolve("cgroup.kill"), "1");
            return;
        }
        for (int pid : pids()) if (pid != Sys.getpid()) Sys.signal(pid, signal);
    }

    @Override
    public void destroy() {
        for (int round = 0; round < 200; round++) {
            List<Integer> pids = pids();
            pids.remove(Integer.valueOf(Sys.getpid()));
            if (pids.isEmpty()) break;
            kill(Linux.SIGKILL);
            if (frozen()) thaw(); // frozen processes cannot die
            sleepQuietly(2);
        }
        // The parent goes with its last child only when jbox made it: a --cgroup-parent (or an OCI cgroupsPath) is the user's.
        boolean ownParent = path.startsWith("/jbox/") || path.startsWith("/jbox-runc/");
        for (Path d : allDirs()) {
            CgroupFiles.remove(d);
            if (ownParent) CgroupFiles.removeIfEmpty(d.getParent());
        }
    }

    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
