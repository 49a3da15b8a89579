package jbox.runtime;

import jbox.linux.Capabilities;

import jbox.linux.Hardening;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How tightly a container is held, beyond the namespaces every container gets: its capabilities,
 * seccomp filter, no_new_privs, hidden kernel paths, devices, sysctls, rlimits, OOM score and extra
 * groups, and which namespaces it shares with the host or another container. These are the
 * security fields of Docker's HostConfig (docker run's --cap-add, --privileged, --security-opt,
 * --device, --pid, --ipc, --uts, --sysctl, --ulimit, ...), read by the same rules from the CLI
 * and the API, so a value jbox takes is a value jbox carries out.
 *
 * @param seccomp         null: jbox's default profile; "unconfined": none; else a profile's JSON text
 * @param noNewPrivileges null: jbox's default (on, unless privileged)
 * @param maskedPaths     null: Docker's list; empty: none
 * @param readonlyPaths   null: Docker's list; empty: none
 * @param pidMode         "" (own namespace), "host" or "container:NAME"; ipcMode also "private", "shareable", "none";
 *                        utsMode "" or "host"; cgroupnsMode "", "private" or "host"
 * @param shmSize         bytes of /dev/shm; 0: Docker's 64 MiB
 * @param cgroupParent    the cgroup its own is made under ("" for jbox's, /jbox), as --cgroup-parent
 */
public record Confinement(
        boolean privileged,
        List<String> capAdd,
        List<String> capDrop,
        String seccomp,
        Boolean noNewPrivileges,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        List<Device> devices,
        Map<String, String> sysctls,
        List<Ulimit> ulimits,
        int oomScoreAdj,
        List<String> groupAdd,
        String pidMode,
        String ipcMode,
        String utsMode,
        String cgroupnsMode,
        long shmSize,
        String cgroupParent) {

    public static final Confinement DEFAULT = new Confinement(false, List.of(), List.of(), null, null, null, null, List.of(), Map.of(),
            List.of(), 0, List.of(), "", "", "", "", 0, "");

    public static final long DEFAULT_SHM_SIZE = 64L << 20;

    /** A host device made in the container's /dev: --device HOST[:CONTAINER[:PERMISSIONS]]. */
    public record Device(String pathOnHost, String pathInContainer, String permissions) {
        public static Device parse(String flag) {
            String[] p = flag.split(":");
            if (p.length > 3 || p[0].isEmpty()) throw new IllegalArgumentException("invalid device \"" + flag + "\": use HOST[:CONTAINER[:PERMISSIONS]]");
            String in = p.length > 1 ? p[1] : p[0];
            String perms = p.length > 2 ? p[2] : "rwm";
            if (p.length == 2 && p[1].matches("[rwm]+")) { // docker: /dev/x:rw means the same path, those permissions
                in = p[0];
                perms = p[1];
            }
            return of(p[0], in, perms);
        }

        public static Device of(String host, String container, String permissions) {
            String perms = permissions == null || permissions.isEmpty() ? "rwm" : permissions;
            if (!perms.matches("[rwm]{1,3}")) throw new IllegalArgumentException("invalid device permissions \"" + perms + "\": use r, w and m");
            if (!host.startsWith("/")) throw new IllegalArgumentException("invalid device \"" + host + "\": the host path must be absolute");
            String in = container == null || container.isEmpty() ? host : container;
            if (!in.startsWith("/")) throw new IllegalArgumentException("invalid device path in the container \"" + in + "\": it must be absolute");
            return new Device(host, in, perms);
        }
    }

    /** --ulimit and --oom-score-adj on one of the container's processes: its first, and each exec, as runc gives them. */
    public void limitProcess(int pid) {
        for (Ulimit u : ulimits()) jbox.linux.ProcessLimits.rlimit(pid, u.resource(), u.soft(), u.hard(), u.name());
        if (oomScoreAdj() != 0) jbox.linux.ProcessLimits.oomScoreAdj(pid, oomScoreAdj());
    }

    /** An rlimit the container starts with: --ulimit NAME=SOFT[:HARD]. */
    public record Ulimit(String name, long soft, long hard) {
        /** getrlimit(2)'s resources by Docker's names, in the kernel's order (RLIMIT_CPU is 0). */
        public static final List<String> NAMES = List.of("cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock", "as",
                "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime");

        public static Ulimit parse(String flag) {
            int eq = flag.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("invalid ulimit \"" + flag + "\": use NAME=SOFT[:HARD], e.g. nofile=1024:2048");
            String[] v = flag.substring(eq + 1).split(":");
            if (v.length > 2) throw new IllegalArgumentException("invalid ulimit \"" + flag + "\": too many values");
            try {
                long soft = Long.parseLong(v[0]);
                return of(flag.substring(0, eq), soft, v.length > 1 ? Long.parseLong(v[1]) : soft);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid ulimit \"" + flag + "\": the limits must be numbers (-1 for unlimited)");
            }
        }

        public static Ulimit of(String name, long soft, long hard) {
            String n = name.toLowerCase(Locale.ROOT);
            if (!NAMES.contains(n)) throw new IllegalArgumentException("invalid ulimit type: " + name + " (one of " + String.join(", ", NAMES) + ")");
            if (soft < -1 || hard < -1) throw new IllegalArgumentException("invalid ulimit " + name + ": limits are 0 or more, or -1 for unlimited");
            if (hard != -1 && (soft == -1 || soft > hard)) {
                throw new IllegalArgumentException("ulimit " + name + ": the soft limit " + soft + " is above the hard limit " + hard);
            }
            return new Ulimit(n, soft, hard);
        }

        /** The resource number setrlimit takes. */
        public int resource() { return NAMES.indexOf(name); }
    }

    /** Docker's namespaced sysctls: these belong to the container's ipc or net namespace, so setting them cannot touch the host. */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
            "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    /** Checks what can be checked without the host: names, modes, sysctls against the namespaces they belong to. */
    public Confinement {
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        devices = List.copyOf(devices);
        sysctls = Map.copyOf(new LinkedHashMap<>(sysctls));
        ulimits = List.copyOf(ulimits);
        groupAdd = List.copyOf(groupAdd);
        maskedPaths = maskedPaths == null ? null : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? null : List.copyOf(readonlyPaths);
        pidMode = mode(pidMode, "--pid", List.of("", "host"), true);
        ipcMode = mode(ipcMode, "--ipc", List.of("", "private", "shareable", "host", "none"), true);
        utsMode = mode(utsMode, "--uts", List.of("", "host"), false);
        cgroupnsMode = mode(cgroupnsMode, "--cgroupns", List.of("", "private", "host"), false);
        for (String c : capAdd) Capabilities.normalize(c);
        for (String c : capDrop) Capabilities.normalize(c);
        if (shmSize < 0) throw new IllegalArgumentException("invalid --shm-size " + shmSize + ": it must be 0 or more bytes");
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) {
            throw new IllegalArgumentException("invalid --oom-score-adj " + oomScoreAdj + ": it must be between -1000 and 1000");
        }
        for (String key : sysctls.keySet()) {
            boolean ipc = IPC_SYSCTLS.contains(key) || key.startsWith("fs.mqueue.");
            if (!ipc && !key.startsWith("net.")) {
                throw new IllegalArgumentException("sysctl \"" + key + "\" is not allowed: only the ipc namespace's (kernel.msg*, kernel.sem, kernel.shm*, "
                        + "fs.mqueue.*) and the network namespace's (net.*) belong to the container; the others would change the host");
            }
            if (ipc && ipcMode.equals("host")) throw new IllegalArgumentException("sysctl \"" + key + "\" is not allowed with --ipc host: it would change the host's");
        }
        for (Ulimit u : ulimits) Ulimit.of(u.name(), u.soft(), u.hard());
        cgroupParent = cgroupParent == null ? "" : cgroupParent;
        for (String part : cgroupParent.split("/")) {
            if (part.equals("..") || part.equals(".") || !part.matches("[A-Za-z0-9_.@:-]*")) {
                throw new IllegalArgumentException("invalid --cgroup-parent \"" + cgroupParent + "\": use a path of plain names, e.g. /class/alice");
            }
        }
    }

    private static String mode(String m, String flag, List<String> plain, boolean container) {
        String v = m == null ? "" : m;
        if (plain.contains(v)) return v;
        if (container && v.startsWith("container:") && v.length() > "container:".length()) return v;
        throw new IllegalArgumentException("invalid " + flag + " \"" + v + "\": use " + String.join(", ", plain.stream().filter(s -> !s.isEmpty()).toList())
                + (container ? " or container:NAME" : ""));
    }

    /** The bounding set Docker computes from --privileged, --cap-add and --cap-drop. */
    public long capabilities() { return Capabilities.forContainer(capAdd, capDrop, privileged); }

    public boolean noNewPrivilegesInEffect() { return noNewPrivileges != null ? noNewPrivileges : !privileged; }

    /** The masked paths in effect: none when privileged, the given ones, or Docker's. */
    public List<String> masked() { return privileged ? List.of() : maskedPaths != null ? maskedPaths : Hardening.MASKED; }

    public List<String> readOnly() { return privileged ? List.of() : readonlyPaths != null ? readonlyPaths : Hardening.READ_ONLY; }

    public long shmBytes() { return shmSize == 0 ? DEFAULT_SHM_SIZE : shmSize; }

    /** Whether a net.* sysctl may be set: only in a network namespace of the container's own. */
    public void checkSysctlsFor(boolean hostNetwork) {
        if (!hostNetwork) return;
        for (String key : sysctls.keySet()) {
            if (key.startsWith("net.")) throw new IllegalArgumentException("sysctl \"" + key + "\" is not allowed with --network host: it would change the host's");
        }
    }

    /**
     * --security-opt values as Docker reads them: seccomp=unconfined|PROFILE, no-new-privileges[=true|false],
     * apparmor=unconfined, label=disable, systempaths=unconfined. A value asking for something jbox
     * does not do (an AppArmor profile, an SELinux label) is refused.
     *
     * @param profileFile how a CLI turns seccomp=FILE into the profile's text (the API carries the text itself); null in the daemon
     */
    public Confinement withSecurityOpts(List<String> opts, java.util.function.UnaryOperator<String> profileFile) {
        String seccomp = this.seccomp;
        Boolean nnp = this.noNewPrivileges;
        List<String> masked = maskedPaths, readonly = readonlyPaths;
        for (String opt : opts) {
            int sep = opt.indexOf('=') >= 0 ? opt.indexOf('=') : opt.indexOf(':');
            String key = sep < 0 ? opt : opt.substring(0, sep);
            String value = sep < 0 ? "" : opt.substring(sep + 1);
            switch (key) {
                case "seccomp" -> {
                    if (value.isEmpty()) throw new IllegalArgumentException("invalid --security-opt \"" + opt + "\": seccomp needs unconfined or a profile");
                    seccomp = value.equals("unconfined") || value.trim().startsWith("{") || profileFile == null ? value : profileFile.apply(value);
                }
                case "no-new-privileges" -> {
                    if (!List.of("", "true", "false").contains(value)) throw new IllegalArgumentException("invalid --security-opt \"" + opt + "\": no-new-privileges is true or false");
                    nnp = !value.equals("false");
                }
                case "apparmor" -> {
                    if (!value.equals("unconfined")) {
                        throw new IllegalArgumentException("--security-opt " + opt + " is not supported: jbox applies no AppArmor profile (apparmor=unconfined is what it does)");
                    }
                }
                case "label" -> {
                    if (!value.equals("disable")) {
                        throw new IllegalArgumentException("--security-opt " + opt + " is not supported: jbox applies no SELinux labels (label=disable is what it does)");
                    }
                }
                case "systempaths" -> {
                    if (!value.equals("unconfined")) throw new IllegalArgumentException("invalid --security-opt \"" + opt + "\": systempaths takes unconfined");
                    masked = List.of();
                    readonly = List.of();
                }
                default -> throw new IllegalArgumentException("invalid --security-opt \"" + opt
                        + "\": jbox knows seccomp=, no-new-privileges, apparmor=unconfined, label=disable and systempaths=unconfined");
            }
        }
        return new Confinement(privileged, capAdd, capDrop, seccomp, nnp, masked, readonly, devices, sysctls, ulimits, oomScoreAdj, groupAdd,
                pidMode, ipcMode, utsMode, cgroupnsMode, shmSize, cgroupParent);
    }

    /** Security options as docker inspect shows them (HostConfig.SecurityOpt). */
    public List<String> securityOpts() {
        List<String> out = new ArrayList<>();
        if (seccomp != null) out.add("seccomp=" + seccomp);
        if (noNewPrivileges != null) out.add("no-new-privileges=" + noNewPrivileges);
        return out;
    }
}
