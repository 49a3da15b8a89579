package jbox.ociruntime;

import jbox.linux.CgroupMount;

import jbox.linux.SecurePath;
import jbox.runtime.StartPlan;
import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;
import jbox.linux.Credentials;
import jbox.linux.DeviceNode;
import jbox.linux.ProcessLimits;
import jbox.linux.Sysctls;
import jbox.linux.Seccomp;
import jbox.linux.Hardening;
import jbox.linux.Rootfs;
import jbox.linux.User;
import jbox.sys.Errnos;
import jbox.sys.Linux;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static jbox.sys.Linux.*;

/** config.json's plan for {@link jbox.runtime.ContainerStart}: what runc's init does, from the JVM's threads. */
final class OciBundle implements StartPlan {
    private final OciConfig c;
    private final String id;
    private final Seccomp seccomp;
    private final RuntimeLog log;
    private final int preserveFds;
    private final Namespaces.Plan namespaces;
    /** Where config.json's first /proc is in its mounts, once mountFilesystems has run; -1 without one. */
    private int procAt = -1;
    private boolean devTmpfs;
    private jbox.linux.UserNamespace userns;
    private final Path callerDir;
    private final jbox.runtime.CallerFork callerFork;

    OciBundle(OciConfig c, String id, RuntimeLog log, int preserveFds, Path callerDir, jbox.runtime.CallerFork callerFork) {
        this.c = c;
        this.id = id;
        this.log = log;
        this.preserveFds = preserveFds;
        this.callerDir = callerDir;
        this.callerFork = callerFork;
        // A mount namespace of its own, or one joined by path (its root is then pivoted there, as runc does); never the
        // host's, where the container's mounts would stay behind and pivot_root would move every host process's root.
        if (c.namespace("mount") == null) {
            throw new OciException("config.json: linux.namespaces: jbox needs a mount namespace for the container (add {\"type\": \"mount\"},"
                    + " or a \"path\" to join one) to build its root without changing the host's mounts");
        }
        if (c.hostname() != null && c.namespace("uts") == null) throw new OciException("config.json: hostname: unable to set hostname without a private UTS namespace");
        this.seccomp = compileSeccomp(c);
        Map<Kind, String> kinds = new EnumMap<>(Kind.class);
        for (OciConfig.Namespace n : c.namespaces()) if (!n.type().equals("user")) kinds.put(Kind.ofOci(n.type()), n.path());
        this.namespaces = Namespaces.Plan.of(kinds);
    }

    /** config.json's user namespace, made with its mappings or opened by its path, before T starts. */
    @Override
    public void prepare() {
        OciConfig.Namespace u = c.namespace("user");
        if (u == null) return;
        try {
            userns = u.path() != null ? jbox.linux.UserNamespace.join(u.path()) : jbox.linux.UserNamespace.create(c.uidMappings(), c.gidMappings());
        } catch (IllegalStateException e) {
            throw new OciException("config.json: linux.namespaces: " + e.getMessage());
        }
    }

    @Override
    public jbox.linux.UserNamespace userNamespace() { return userns; }

    @Override
    public jbox.runtime.CallerFork callerFork() { return callerFork; }

    /** The container's process holds its user namespace once spawned; so does nothing of jbox's after. */
    @Override
    public void release() {
        if (userns != null) userns.close();
        userns = null;
    }

    @Override
    public Path rootfs() { return c.rootfs(); }

    @Override
    public Namespaces.Plan namespaces() { return namespaces; }

    @Override
    public void mountRoot() {
        Path root = c.rootfs();
        // Host mounts reach in, nothing goes back out; the bundle's own propagation is for its root, once pivoted
        // (pivot_root refuses a shared one), as runc does it.
        Sys.mount(null, "/", null, MS_SLAVE | MS_REC, null);
        Sys.mount(root.toString(), root.toString(), null, MS_BIND | MS_REC, null);
    }

    /**
     * config.json's mounts up to its first /proc, in order; /proc is the setup thread's (it needs C's
     * pid namespace) and so is every mount after it ({@link #mountAfterProc}), so that
     * /proc/self/mountinfo lists them all in config.json's order (the kernel lists mounts as they were made).
     */
    @Override
    public Path mountFilesystems() throws IOException {
        Path root = c.rootfs();
        List<OciConfig.Mount> mounts = c.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i).type().equals("proc")) {
                procAt = i;
                if (!mountsAfterProc()) finishDev(root);
                return SecurePath.mkdirs(root, mounts.get(i).destination());
            }
            mount(root, mounts.get(i));
        }
        finishDev(root);
        return null;
    }

    @Override
    public boolean mountsAfterProc() { return procAt >= 0 && procAt < c.mounts().size() - 1; }

    @Override
    public void mountAfterProc() throws IOException {
        Path root = c.rootfs();
        List<OciConfig.Mount> mounts = c.mounts();
        for (OciConfig.Mount m : mounts.subList(procAt + 1, mounts.size())) {
            if (!m.type().equals("proc")) mount(root, m); // a second /proc would show the host's processes: one is enough
        }
        finishDev(root);
    }

    @Override
    public String lateTerminalPath() {
        boolean devpts = c.mounts().subList(procAt + 1, c.mounts().size()).stream()
                .anyMatch(m -> m.type().equals("devpts") && Path.of(m.destination()).normalize().equals(Path.of("/dev/pts")));
        return devpts ? "/dev/pts/0" : "/dev/console";
    }

    private void mount(Path root, OciConfig.Mount m) throws IOException {
        Path target = target(root, m);
        if (m.type().equals("cgroup") || m.type().equals("cgroup2")) {
            CgroupMount.mount(target, m.flags(), c.cgroupsPath(), c.newNamespace("cgroup"));
        } else if (m.isBind()) {
            Sys.mount(m.source(), target.toString(), null, MS_BIND | (m.flags() & MS_REC), null);
            long extra = m.flags() & ~(MS_BIND | MS_REC | MS_REMOUNT);
            if (extra != 0) Sys.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | extra, null);
        } else {
            mountFs(m, target);
            if (m.destination().equals("/dev") && m.type().equals("tmpfs")) devTmpfs = true;
        }
        if (m.propagation() != 0) Sys.mount(null, target.toString(), null, m.propagation(), null);
    }

    /** Once all mounts are made: a tmpfs /dev gets its device nodes (and /dev/ptmx its devpts link). */
    private void finishDev(Path root) throws IOException {
        if (devTmpfs) makeDevices(root);
    }

    @Override
    public void nameHost() {
        if (c.hostname() != null) Sys.sethostname(c.hostname());
        if (c.domainname() != null) Sys.setdomainname(c.domainname());
    }

    @Override
    public boolean readOnlyRoot() { return c.rootReadonly(); }

    @Override
    public void afterPivot() {
        if (c.rootfsPropagation() != 0) Sys.mount(null, "/", null, c.rootfsPropagation(), null);
    }

    private static Path target(Path root, OciConfig.Mount m) throws IOException {
        boolean file = m.isBind() && Files.isRegularFile(Path.of(m.source()));
        if (!file) return SecurePath.mkdirs(root, m.destination());
        Path t = SecurePath.resolve(root, m.destination());
        if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
            SecurePath.mkdirs(root, Path.of(m.destination()).getParent().toString());
            Files.createFile(t);
        }
        return t;
    }

    /** sysfs cannot be mounted from a network namespace this process does not own: runc then binds the host's /sys, and so does jbox. */
    private static void mountFs(OciConfig.Mount m, Path target) {
        try {
            Sys.mount(m.source(), target.toString(), m.type(), m.flags(), m.data());
        } catch (SyscallException e) {
            if (!m.type().equals("sysfs") || e.errno() != Errnos.EPERM) throw e;
            Sys.mount("/sys", target.toString(), null, MS_BIND | MS_REC, null);
            Sys.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
    }

    /** runc's default devices, then config.json's, and the links into /proc. */
    private void makeDevices(Path root) throws IOException {
        String dev = root.resolve("dev").toString();
        Rootfs.makeDefaultDevices(dev);
        for (DeviceNode d : c.devices()) Rootfs.makeDevice(root, d);
        Rootfs.linkProcFds(dev);
        Path ptmx = root.resolve("dev/ptmx");
        if (Files.exists(root.resolve("dev/pts/ptmx")) && !Files.exists(ptmx, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(ptmx, Path.of("pts/ptmx"));
    }

    @Override
    public User user(Path root) throws IOException {
        OciConfig.Process p = c.process();
        User looked = User.resolve(root, p.uid() + ":" + p.gid());
        return new User(p.uid(), p.gid(), p.additionalGids(), looked.home());
    }

    /** What T becomes for the container: config.json's process credentials and filter. */
    Credentials credentials() { return credentials(c.process(), seccomp); }

    /** config.json's process credentials. */
    static Credentials credentials(OciConfig.Process p, Seccomp seccomp) {
        return new Credentials(p.bounding(), p.inheritable(), p.ambient(), p.noNewPrivileges(), p.umask(), seccomp);
    }

    /** linux.seccomp compiled, or null without one; a profile jbox cannot load is refused naming the field. */
    static Seccomp compileSeccomp(OciConfig c) {
        if (c.seccomp() == null) return null;
        try {
            return Seccomp.compile(c.seccomp(), "config.json's profile");
        } catch (IllegalArgumentException e) {
            throw new OciException("config.json: linux.seccomp: " + e.getMessage());
        }
    }

    @Override
    public int preservedFds() { return preserveFds; }

    @Override
    public void afterSpawn(int pid) {
        try {
            for (OciConfig.Rlimit r : c.process().rlimits()) ProcessLimits.rlimit(pid, r.resource(), r.soft(), r.hard(), r.name());
            if (c.process().oomScoreAdj() != null) ProcessLimits.oomScoreAdj(pid, c.process().oomScoreAdj());
        } catch (IllegalArgumentException e) {
            throw new OciException("config.json: process: " + e.getMessage());
        }
        // The spec's lifecycle runs these once the environment is created (its step 2), which its state calls "created".
        byte[] state = Hooks.state(id, "created", pid, c.bundle(), c.annotations());
        // in the caller's directory, as the caller runs create
        Hooks.run("prestart", c.hooks().prestart(), state, true, log, callerDir);
        Hooks.run("createRuntime", c.hooks().createRuntime(), state, true, log, callerDir);
    }

    @Override
    public void beforePivot(int pid) throws IOException {
        try {
            Sysctls.write(c.rootfs(), pid, c.sysctl()); // before /proc/sys turns read-only, as in runc
        } catch (IllegalArgumentException e) {
            throw new OciException("config.json: linux.sysctl: " + e.getMessage());
        }
        Hardening.protectKernelPaths(c.rootfs(), c.maskedPaths(), c.readonlyPaths());
        if (!c.hooks().createContainer().isEmpty()) runInMountNamespace(pid);
    }

    /** createContainer hooks: spawned from this thread, which is in the container's mount namespace (no threads: posix_spawn). */
    private void runInMountNamespace(int pid) {
        byte[] state = Hooks.state(id, "created", pid, c.bundle(), c.annotations());
        for (OciConfig.Hook h : c.hooks().createContainer()) {
            int stdin = Hooks.stateOnPipe(state);
            try (Spawn s = new Spawn(h.path(), h.args().isEmpty() ? List.of(h.path()) : h.args(), h.env())) {
                s.dup2(stdin, 0).closeFrom(3);
                int status = Sys.waitpid(s.spawn());
                if (Linux.exitCode(status) != 0) throw new OciException("createContainer hook " + h.path() + ": exit status " + Linux.exitCode(status));
            } finally {
                Sys.close(stdin);
            }
        }
    }

}
