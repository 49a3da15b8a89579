package jbox.cgroup;

import jbox.sys.Places;
import jbox.sys.ProcFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the host's cgroup hierarchies in /proc/self/mountinfo and decides, per controller, which
 * one holds it. Three layouts exist: pure v2 (one unified tree), pure v1 (a tree per controller)
 * and hybrid (v1 trees plus a cgroup2 mount with whatever controllers v1 does not hold). A
 * controller found in a v1 tree is used there; otherwise in the unified tree if it lists it.
 * Container cgroups are made under a "jbox" parent.
 *
 * <p>{@code JBOX_CGROUP=v2} (or -Djbox.cgroup=v2) uses only the unified tree even on a hybrid host:
 * the tests use it to run real containers through the v2 code on a v1 machine.
 */
public final class Cgroups {
    /** The controllers jbox uses, by the v1 and v2 names the kernel gives them. */
    static final Set<String> KNOWN = Set.of("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer", "blkio", "devices", "io");

    private final Map<String, Hierarchy> byController;
    private final Hierarchy unified;
    private final String mode;
    private final String parent;
    /** Why there are none ("none" mode): what a limit flag's refusal says. */
    private final Unavailable unavailable;

    /** Why a host offers jbox no cgroups, and what would give it some. */
    public record Unavailable(String cause, String fix) {}

    private Cgroups(Map<String, Hierarchy> byController, Hierarchy unified, String mode, String parent, Unavailable unavailable) {
        this.byController = byController;
        this.unified = unified;
        this.mode = mode;
        this.parent = parent;
        this.unavailable = unavailable;
    }

    public static Cgroups detect() throws IOException {
        String forced = System.getProperty("jbox.cgroup", System.getenv("JBOX_CGROUP"));
        Cgroups host = fromMountinfo(ProcFiles.read(Path.of("/proc/self/mountinfo")), "jbox", "v2".equals(forced));
        return Places.rootless() ? host.delegated(ProcFiles.read(Path.of("/proc/self/cgroup"))) : host;
    }

    /**
     * Without root, only a cgroup v2 subtree the host hands to the user (systemd's user@UID.service, made
     * the user's with Delegate=yes) can be written: its topmost directory owned by this user above the
     * cgroup jbox runs in becomes the tree's root, with only the controllers the host enabled for it.
     * v1 trees are never handed to users.
     */
    Cgroups delegated(String selfCgroup) {
        if (!mode.equals("v2")) {
            return none(new Unavailable("jbox runs without root, and this host's cgroup controllers are v1 (" + mode + " cgroups), which are never handed to users",
                    "run jbox as root for limits, or use a host with pure cgroup v2 and systemd, which delegates cpu, memory, pids and io to every user"));
        }
        String own = null;
        for (String line : selfCgroup.split("\n")) if (line.startsWith("0::")) own = line.substring(3).trim();
        Path top = null;
        if (own != null) {
            for (Path p = unified.mount().resolve(own.replaceAll("^/+", "")); p != null && !p.equals(unified.mount()) && p.startsWith(unified.mount()); p = p.getParent()) {
                if (jbox.io.Owner.mine(p) && Files.isWritable(p.resolve("cgroup.procs"))) top = p;
            }
        }
        if (top == null) {
            return none(new Unavailable("jbox runs without root, and no cgroup is delegated to you (jbox runs in cgroup " + own + ", which you cannot write)",
                    "log in through systemd-logind (it delegates user@UID.service to you), or start jbox with: systemd-run --user --scope ./jbox"));
        }
        Hierarchy tree = new Hierarchy(top, true, readControllers(top));
        Map<String, Hierarchy> by = new LinkedHashMap<>();
        for (String c : tree.controllers()) if (KNOWN.contains(c)) by.put(c, tree);
        return new Cgroups(by, tree, "v2", parent, null);
    }

    private Cgroups none(Unavailable why) { return new Cgroups(Map.of(), null, "none", parent, why); }

    /** Why this host offers no cgroups: null when it does. */
    public Unavailable unavailable() {
        if (!mode.equals("none")) return null;
        return unavailable != null ? unavailable : new Unavailable("this host has no cgroups mounted", "mount cgroup2 on /sys/fs/cgroup");
    }

    /**
     * Moves process pid into the root cgroup of every hierarchy mounted whole (v1 ones, named ones such as
     * systemd's, and cgroup2). For a service that outlives the command that started it and serves others:
     * left in its starter's cgroup (a conmon's, a shim's, a login's scope) it would keep that cgroup from
     * being removed, and die when it is stopped. Best effort: a hierarchy this process may not write
     * keeps it where it was.
     */
    public static void moveToRoots(int pid) {
        List<CgroupMount> mounts;
        try {
            mounts = cgroupMounts(ProcFiles.read(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return;
        }
        Set<Path> seen = new LinkedHashSet<>();
        for (CgroupMount m : mounts) {
            Path procs = m.point().resolve("cgroup.procs");
            if (!m.root().equals("/") || !seen.add(procs)) continue;
            try {
                Files.writeString(procs, String.valueOf(pid));
            } catch (IOException | RuntimeException e) {
                // read-only here (inside a container), or not ours to write: stay
            }
        }
    }

    /** One cgroup or cgroup2 mount of mountinfo: where, which directory of its hierarchy, and its options. */
    private record CgroupMount(Path point, String root, boolean unified, String options) {}

    private static List<CgroupMount> cgroupMounts(String mountinfo) {
        List<CgroupMount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) continue;
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (left.length < 5 || right.length < 3 || !(right[0].equals("cgroup") || right[0].equals("cgroup2"))) continue;
            out.add(new CgroupMount(Path.of(left[4]), left[3], right[0].equals("cgroup2"), right[2]));
        }
        return out;
    }

    /** Parses mountinfo text; controllers of a cgroup2 mount are read from its cgroup.controllers. */
    static Cgroups fromMountinfo(String mountinfo, String parent, boolean unifiedOnly) {
        List<Hierarchy> v1 = new ArrayList<>();
        Hierarchy unified = null;
        for (CgroupMount m : cgroupMounts(mountinfo)) {
            if (m.unified()) {
                unified = new Hierarchy(m.point(), true, readControllers(m.point()));
            } else {
                Set<String> controllers = new LinkedHashSet<>();
                for (String opt : m.options().split(",")) if (KNOWN.contains(opt)) controllers.add(opt);
                if (!controllers.isEmpty()) v1.add(new Hierarchy(m.point(), false, controllers));
            }
        }
        Map<String, Hierarchy> by = new LinkedHashMap<>();
        if (!unifiedOnly) for (Hierarchy h : v1) for (String c : h.controllers()) by.putIfAbsent(c, h);
        if (unified != null) for (String c : unified.controllers()) if (KNOWN.contains(c)) by.putIfAbsent(c, unified);
        String mode;
        if (unifiedOnly || v1.isEmpty()) {
            mode = unified == null ? "none" : "v2";
        } else {
            mode = unified != null ? "hybrid" : "v1";
        }
        // The unified tree also does the core jobs (placement, freeze, kill) when it is the only one.
        Hierarchy core = mode.equals("v2") ? unified : null;
        return new Cgroups(by, core, mode, parent, null);
    }

    private static Set<String> readControllers(Path mount) {
        Set<String> out = new LinkedHashSet<>();
        try {
            Path f = mount.resolve("cgroup.controllers");
            if (Files.exists(f)) for (String c : ProcFiles.read(f).trim().split("\\s+")) if (!c.isEmpty()) out.add(c);
        } catch (IOException e) {
            // no controllers readable: treat the tree as empty
        }
        return out;
    }

    /** "v1", "v2", "hybrid" or "none". */
    public String mode() { return mode; }

    /** Which hierarchy holds each controller, for `jbox info` and the shell. */
    public Map<String, String> controllers() {
        Map<String, String> out = new LinkedHashMap<>();
        byController.forEach((c, h) -> out.put(c, (h.unified() ? "v2 " : "v1 ") + h.mount()));
        return out;
    }

    /** Limits the host will accept but not enforce, said as Docker says them ("WARNING: ..."). */
    public static java.util.List<String> warnings(Resources r) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (r.blkioWeight() != null && BlockIo.disksWithWeights().isEmpty()) {
            out.add("WARNING: --blkio-weight has no effect on this host: only the BFQ IO scheduler shares disk time by weight, "
                    + "and no disk uses it (see /sys/block/*/queue/scheduler). The --device-read-bps/--device-write-bps caps do work.");
        }
        if (Boolean.TRUE.equals(r.oomKillDisable()) && r.memory() == null) {
            out.add("WARNING: Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.");
        }
        return out;
    }

    /** Whether the memory controller is v1's, the only one with a switch for the OOM killer (docker info's OomKillDisable). */
    public boolean canDisableOomKiller() {
        Hierarchy h = byController.get("memory");
        return h != null && !h.unified();
    }

    /** Creates (or reopens) the cgroup of a container. */
    public Cgroup forContainer(String id) throws IOException { return forContainer(id, ""); }

    /** The same under another parent (--cgroup-parent), "" for jbox's own. */
    public Cgroup forContainer(String id, String cgroupParent) throws IOException {
        if (mode.equals("none")) return null;
        return ContainerCgroup.create(byController, unified, pathOf(id, cgroupParent), mode);
    }

    private String pathOf(String id, String cgroupParent) {
        String p = cgroupParent == null || cgroupParent.isEmpty() ? parent : cgroupParent.replaceAll("^/+|/+$", "");
        return "/" + p + "/" + id;
    }

    /** Creates (or reopens) a cgroup at a path an OCI bundle names (linux.cgroupsPath, cgroupfs style: /parent/name). */
    public Cgroup atPath(String path) throws IOException {
        if (mode.equals("none")) return null;
        return ContainerCgroup.create(byController, unified, path.startsWith("/") ? path : "/" + path, mode);
    }

    /** The cgroup at that path if it exists. */
    public Cgroup existingAtPath(String path) {
        if (mode.equals("none")) return null;
        return ContainerCgroup.existing(byController, unified, path.startsWith("/") ? path : "/" + path, mode);
    }

    /** Removes the group at path in every hierarchy where it exists and holds no group or process. */
    public void removeIfEmpty(String path) {
        java.util.Set<Hierarchy> trees = new java.util.LinkedHashSet<>(byController.values());
        if (unified != null) trees.add(unified);
        for (Hierarchy h : trees) CgroupFiles.removeIfEmpty(h.mount().resolve(path.replaceAll("^/+", "")));
    }

    /** The container's cgroup if it still exists, without creating it. */
    public Cgroup existing(String id) { return existing(id, ""); }

    public Cgroup existing(String id, String cgroupParent) {
        if (mode.equals("none")) return null;
        return ContainerCgroup.existing(byController, unified, pathOf(id, cgroupParent), mode);
    }
}
