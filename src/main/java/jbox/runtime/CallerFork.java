package jbox.runtime;

import jbox.sys.Spawn;

import java.util.List;

/**
 * A container's first process forked by the caller instead of by this JVM: jbox-runc's front, when
 * the runtime service answers a `create`. The process must be a descendant of the caller (conmon and
 * containerd's shim wait for it as their child, through their subreaper), so the front joins the
 * namespaces the start thread made, forks, and carries out the spawn; everything else stays this JVM's.
 */
public interface CallerFork {
    /**
     * Runs spawn in the caller's process tree, after joining the namespaces at namespacePaths in their
     * order; returns the new process's pid once it has exec'd spawn's program.
     */
    int fork(Spawn.Replay spawn, List<String> namespacePaths);
}
