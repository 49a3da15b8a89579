package jbox.linux;

import jbox.sys.Errnos;
import jbox.sys.Places;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import static jbox.sys.Linux.*;

/**
 * What the spawning thread turns into for the process it spawns next (a container's first
 * process, or one more through exec): its capabilities, no_new_privs, umask and seccomp filter.
 * Capabilities are set through the bounding set: root in the container gets exactly it at exec,
 * another user gets none unless ambient (as in Docker, and runc's ambient set for OCI bundles).
 *
 * @param seccomp the filter, loaded last; null for none (unconfined, privileged)
 */
public record Credentials(long bounding, long inheritable, long ambient, boolean noNewPrivileges, Integer umask, Seccomp seccomp) {

    /** A jbox container's: a bounding set, no_new_privs or not, a filter or none. */
    public static Credentials of(long bounding, boolean noNewPrivileges, Seccomp seccomp) {
        return new Credentials(bounding, 0, 0, noNewPrivileges, null, seccomp);
    }

    /**
     * On the spawning thread, after unshare(NEWPID) or setns: per-thread raw calls only, because
     * glibc's setresuid would change every thread of the JVM. The thread keeps its own effective
     * capabilities (the bounding set only limits what exec grants), so its remaining file actions
     * still work; the seccomp filter comes last, as late before the spawn as it can.
     */
    public void apply(User user, int lastCap) {
        if (noNewPrivileges) Sys.prctl(PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS");
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((bounding & (1L << cap)) != 0) continue;
            try {
                Sys.prctl(PR_CAPBSET_DROP, cap, "PR_CAPBSET_DROP " + (cap < Capabilities.NAMES.size() ? Capabilities.NAMES.get(cap) : cap));
            } catch (SyscallException e) {
                if (e.errno() != Errnos.EINVAL) throw e; // a capability this kernel does not know
            }
        }
        long permitted = Sys.capgetPermitted();
        Sys.prctl(PR_SET_KEEPCAPS, 1, "PR_SET_KEEPCAPS");
        if (Places.setgroupsAllowed()) {
            Sys.setgroups(user.groups());
        } else if (java.util.Arrays.stream(user.groups()).anyMatch(g -> g != user.gid())) {
            throw new jbox.sys.Failure("cannot give the container's process the groups " + java.util.Arrays.toString(user.groups()),
                    "jbox runs without root and without an /etc/subgid range: its user namespace has only gid 0, and the kernel forbids setgroups there",
                    "ask the administrator for a range (sudo usermod --add-subgids 100000-165535 USER), or run as a user with no extra groups");
        }
        Sys.setresgid(user.gid());
        Sys.setresuid(user.uid());
        Sys.capset(permitted, permitted, inheritable | ambient);
        for (int cap = 0; cap <= lastCap; cap++) if ((ambient & (1L << cap)) != 0) Sys.raiseAmbient(cap);
        if (umask != null) Sys.umask(umask);
        if (seccomp != null) seccomp.load();
    }
}
