package jbox.engine;



import jbox.cgroup.Cgroup;
import jbox.runtime.ContainerState;
import jbox.sys.Linux;
import jbox.sys.Processes;
import jbox.runtime.StateStore;
import jbox.io.FileLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The engine's what killed jbox processes left, undone at the start of a daemon, a command or the shell: half-made containers, gated processes, cgroups, network leftovers, abandoned sandboxes and builds. */
public final class Housekeeping {
    private final Engine engine;
    private final Path root;
    private final Path home;
    private final StateStore containers;
    private final Networks networks;

    Housekeeping(Engine engine) {
        this.engine = engine;
        this.root = engine.root();
        this.home = engine.home();
        this.containers = engine.containers();
        this.networks = engine.networks();
    }

    /** A half-removed container's cgroup, with whatever is still in it. */
    private void destroyCgroup(ContainerState last) {
        try {
            Cgroup cg = engine.cgroupOf(last);
            if (cg != null) cg.destroy();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * What killed jbox processes left half-done, undone: half-made and half-removed container
     * directories, first processes still waiting at a gate their jbox will never open, and cgroups of
     * containers that do not run (with whatever is still in them), sandboxes of shells and builds of
     * jbox processes that are gone. The daemon calls it before it answers, a jbox command without a
     * daemon before its first request, the shell when it opens: never a listing as a side effect.
     * Returns what it did, for the log.
     *
     * @param reaper the process that inherits a dead jbox's children here (the daemon's keeper), or 0
     */
    public List<String> recover(int reaper) {
        List<String> done = new ArrayList<>();
        try {
            for (String dir : containers.sweep(this::destroyCgroup)) done.add("removed " + dir + ", which a killed jbox left half-made or half-removed");
            done.addAll(reapAbandonedSandboxes());
            done.addAll(reapAbandonedBuilds());
            for (ContainerState c : engine.lifecycle().list(true)) { // refresh finishes the recorded ones
                if (c.status().hasProcess() || engine.cgroupOf(c) == null) continue;
                try (FileLock ignored = containers.lock(c.id())) { // a start in progress holds it: wait, then look again
                    ContainerState now = containers.load(c.id());
                    Cgroup cg = engine.cgroupOf(now);
                    if (now.status().hasProcess() || cg == null) continue;
                    cg.destroy();
                    done.add("removed the cgroup of container " + c.name() + ", which does not run");
                } catch (java.nio.file.NoSuchFileException e) {
                    // removed meanwhile
                }
            }
            String base = root.resolve("containers").toAbsolutePath().toString() + "/";
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) continue;
                    int pid = Integer.parseInt(name);
                    long started = Processes.startTime(pid); // first: what is checked below is this process, not a later one with its pid
                    String cwd;
                    try {
                        cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                    } catch (IOException e) {
                        continue; // gone, or a kernel thread
                    }
                    if (!cwd.startsWith(base) || !cwd.contains("/gate") || !Processes.isUnexecdCopyOfThisJvm(pid)) continue;
                    int parent = Processes.parent(pid);
                    boolean orphan = parent <= 1 || parent == reaper || !Processes.isUnexecdCopyOfThisJvm(parent);
                    if (!orphan) continue; // its jbox is alive and about to open the gate
                    Processes.signal(pid, started, Linux.SIGKILL, 10_000);
                    done.add("stopped process " + pid + ", the first process of container " + cwd.substring(base.length()).split("/")[0]
                            + ", which waited for a jbox that was killed");
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up after a killed jbox");
        }
        return done;
    }

    /**
     * After a crash or kill -9: network addresses, published ports and hosts entries of this root's
     * containers that no longer run are released (containers found dead are released by refresh,
     * within list); returns what was freed.
     */
    public List<String> sweepNetworks() {
        java.util.Set<String> running = new java.util.HashSet<>();
        for (ContainerState c : engine.lifecycle().list(false)) running.add(c.id());
        try {
            return jbox.net.ContainerNetwork.sweep(root.toString(), running);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up network addresses");
        }
    }

    /** The daemon keeps jbox0 while it runs (on), and lets it go when it stops (off). */
    public void holdDefaultBridge(boolean on) {
        try {
            jbox.net.ContainerNetwork.holdDefaultBridge(networks.defaultNetwork(), on);
        } catch (IOException | RuntimeException e) {
            System.err.println("jbox daemon: " + (on ? "cannot set up" : "cannot remove") + " the default bridge: " + e.getMessage());
        }
    }

    /** Where the shell's sandboxes keep their files; each records its owner, so a killed shell's are found. */
    public Path sandboxesDir() { return root.resolve("sandboxes"); }

    /** Removes sandboxes whose shell is gone (killed -9, crashed): their processes, cgroups and files. */
    private List<String> reapAbandonedSandboxes() {
        try {
            return jbox.io.Owner.sweep(sandboxesDir(), "", (name, dir) -> {
                Cgroup cg = engine.cgroups().existing(name);
                if (cg != null) cg.destroy();
                SandboxProcesses.killAll(dir);
            }).stream().map(name -> "removed sandbox " + name + ", whose shell is gone").toList();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up abandoned sandboxes");
        }
    }

    /** A private working directory for one build (its context, staged files), owned by this process. */
    public Path newBuildDir() throws IOException {
        return jbox.io.Owner.createTemp(root.resolve("build"), "b-");
    }

    /** The name prefix of a build's RUN containers, so a killed build's can be found and removed. */
    public static String buildContainerPrefix(Path buildDir) { return "build-" + buildDir.getFileName() + "-"; }

    /** Removes the working directories and RUN containers of builds whose jbox was killed. */
    private List<String> reapAbandonedBuilds() {
        try {
            return jbox.io.Owner.sweep(root.resolve("build"), "", (name, dir) -> {
                for (ContainerState c : containers.all()) {
                    if (c.name().startsWith(buildContainerPrefix(Path.of(name)))) engine.lifecycle().remove(c.id(), true);
                }
            }).stream().map(name -> "removed build " + name + ", whose jbox is gone").toList();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot clean up abandoned builds");
        }
    }
}
