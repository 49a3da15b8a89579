package jbox.sys;

/** Raw system call numbers for calls glibc has no per-thread wrapper for, per architecture. */
final class Syscalls {
    final long pivotRoot, setresuid, setresgid, setgroups, capget, capset, gettid, seccomp, memfdCreate, bpf;
    // Calls added after 5.0 share one number on every architecture.
    final long openTree = 428, moveMount = 429, fsopen = 430, fsconfig = 431, fsmount = 432, pidfdOpen = 434,
            pidfdSendSignal = 424;

    private Syscalls(long pivotRoot, long setresuid, long setresgid, long setgroups, long capget, long capset, long gettid, long seccomp,
                     long memfdCreate, long bpf) {
        this.pivotRoot = pivotRoot;
        this.setresuid = setresuid;
        this.setresgid = setresgid;
        this.setgroups = setgroups;
        this.capget = capget;
        this.capset = capset;
        this.gettid = gettid;
        this.seccomp = seccomp;
        this.memfdCreate = memfdCreate;
        this.bpf = bpf;
    }

    static Syscalls forThisMachine() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> new Syscalls(155, 117, 119, 116, 125, 126, 186, 317, 319, 321);
            case "aarch64", "arm64" -> new Syscalls(41, 147, 149, 159, 90, 91, 178, 277, 279, 280);
            default -> throw new UnsupportedOperationException(
                    "jbox knows the system call numbers of x86_64 and aarch64 only, not " + arch);
        };
    }
}
