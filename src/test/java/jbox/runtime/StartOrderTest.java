package jbox.runtime;

import jbox.linux.Credentials;
import jbox.linux.MountPlan;
import jbox.linux.Seccomp;
import jbox.linux.SeccompProfiles;
import jbox.linux.Storage;
import jbox.sys.RecordingKernel;
import jbox.sys.RecordingKernel.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The order of a container start, checked against a recording stand-in for the C library: no
 * root, no kernel, milliseconds. What the kernel then does with each call the integration tests check.
 */
class StartOrderTest {
    @TempDir
    Path tmp;

    /** What the overlay would show: the image's files (the overlay mount itself is recorded, not made). */
    static Path imageRoot(Path state) throws Exception {
        Path root = state.resolve("rootfs");
        Files.createDirectories(root.resolve("bin"));
        Path sh = Files.writeString(root.resolve("bin/sh"), "#!");
        Files.setPosixFilePermissions(sh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        // What the new /proc shows once mounted, so that its masks have something to cover.
        Files.createDirectories(root.resolve("proc/sys"));
        Files.writeString(root.resolve("proc/kcore"), "");
        return root;
    }

    /** Compiled on the real kernel (libseccomp writes the program to a memfd), before a test stands in for it. */
    private static final Credentials CREDENTIALS = Credentials.of(Confinement.DEFAULT.capabilities(), true,
            Seccomp.compile(SeccompProfiles.defaultFor(Confinement.DEFAULT.capabilities()), "jbox's default profile"));

    private LaunchSpec runSpec(Path state, List<MountPlan> volumes, boolean readOnly) {
        Confinement c = Confinement.DEFAULT;
        ImagePlan plan = new ImagePlan(List.of(tmp.resolve("layer")), state, state.resolve("rootfs"), "box", "", volumes, readOnly, false, c, List.of(), 0, 0, null, null);
        Credentials creds = CREDENTIALS;
        return new LaunchSpec("0123456789abcdef", plan, List.of("sh", "-c", "true"), List.of("PATH=/bin"), "/", false,
                new LaunchSpec.Stdio(0, 1, 2), null, creds, state);
    }

    static int first(List<Call> calls, Predicate<Call> p, String what) {
        for (int i = 0; i < calls.size(); i++) if (p.test(calls.get(i))) return i;
        throw new AssertionError("no " + what + " in " + calls);
    }

    static int last(List<Call> calls, Predicate<Call> p, String what) {
        for (int i = calls.size() - 1; i >= 0; i--) if (p.test(calls.get(i))) return i;
        throw new AssertionError("no " + what + " in " + calls);
    }

    static Predicate<Call> call(String name, String argContains) {
        return c -> c.name().equals(name) && c.args().stream().anyMatch(a -> a.contains(argContains));
    }

    static Predicate<Call> call(String name) { return c -> c.name().equals(name); }

    static final List<String> CREATE_STEPS = Arrays.stream(StartStep.values()).filter(s -> s != StartStep.START)
            .map(s -> s.name().toLowerCase().replace('_', '-')).toList();

    @Test
    void runTakesEveryStepInOrder() throws Exception {
        Path state = tmp.resolve("c");
        imageRoot(state);
        try (RecordingKernel k = new RecordingKernel()) {
            ContainerStart.Created created = ContainerStart.create(runSpec(state, List.of(), false));
            assertEquals(CREATE_STEPS, k.steps());
            created.start();
            assertEquals("start", k.steps().get(k.steps().size() - 1));
            assertEquals(RecordingKernel.CHILD_PID, created.pid);
        }
    }

    @Test
    void volumesBeforeTheReadOnlyRemountBeforePivotRoot() throws Exception {
        Path state = tmp.resolve("c");
        Path root = imageRoot(state);
        Path data = Files.createDirectories(tmp.resolve("volume"));
        MountPlan volume = new MountPlan(new Storage.Mount(Storage.Type.BIND, data.toString(), "/data", false, null, false, false), data, false);
        try (RecordingKernel k = new RecordingKernel()) {
            ContainerStart.create(runSpec(state, List.of(volume), true)).start();
            List<Call> calls = k.calls();
            int overlay = first(calls, call("mount", "overlay"), "overlay mount");
            int bind = first(calls, c -> c.name().equals("mount") && c.arg(0).equals(data.toString()), "the volume's bind mount");
            int readOnly = first(calls, c -> c.name().equals("mount") && c.arg(1).equals(root.toString()) && c.arg(3).contains(String.valueOf(jbox.sys.Linux.MS_RDONLY | jbox.sys.Linux.MS_REMOUNT | jbox.sys.Linux.MS_BIND)),
                    "the root's read-only remount");
            int pivot = first(calls, call("pivot_root"), "pivot_root");
            assertTrue(overlay < bind && bind < readOnly && readOnly < pivot, "overlay, volume, read-only root, pivot_root: " + calls);
            assertTrue(Files.isDirectory(root.resolve("data")), "the volume's mount point was made inside the root");
        }
    }

    @Test
    void procIsMountedBeforeItsPathsAreMaskedAndTheFilterComesLast() throws Exception {
        Path state = tmp.resolve("c");
        Path root = imageRoot(state);
        try (RecordingKernel k = new RecordingKernel()) {
            ContainerStart.create(runSpec(state, List.of(), false)).start();
            List<Call> calls = k.calls();
            int proc = first(calls, call("move_mount", root.resolve("proc").toString()), "/proc's mount");
            int kcore = first(calls, call("mount", root.resolve("proc/kcore").toString()), "the mask over /proc/kcore");
            int sysReadOnly = first(calls, call("mount", root.resolve("proc/sys").toString()), "/proc/sys made read-only");
            assertTrue(proc < kcore && proc < sysReadOnly, "/proc first, then its masks: " + calls);

            // On T: the new pid namespace after the spawn is prepared, then credentials, seccomp last, then the spawn.
            int closeFrom = first(calls, call("posix_spawn_file_actions_addclosefrom_np"), "closefrom");
            int gate = first(calls, call("posix_spawn_file_actions_addopen", "gate"), "the gate's open");
            int newPid = first(calls, call("unshare", String.valueOf(jbox.sys.Linux.CLONE_NEWPID)), "unshare(CLONE_NEWPID)");
            int nnp = first(calls, c -> c.name().equals("prctl") && c.arg(0).equals("38"), "PR_SET_NO_NEW_PRIVS");
            int setuid = first(calls, call("setresuid"), "setresuid");
            int seccomp = first(calls, call("seccomp"), "the seccomp filter");
            int spawn = first(calls, call("posix_spawn"), "posix_spawn");
            assertTrue(closeFrom < gate, "nothing of jbox's stays open while the process waits at its gate");
            assertTrue(gate < newPid && newPid < nnp && nnp < setuid && setuid < seccomp && seccomp < spawn, "in order: " + calls);
            List<String> between = calls.subList(seccomp + 1, spawn).stream().map(Call::name).filter(n -> !n.equals("step")).toList();
            assertEquals(List.of("posix_spawnattr_setflags"), between, "nothing runs under the filter before the spawn");
        }
    }

    @Test
    void theNewNamespacesComeBeforeTheFirstMountAndTheRootIsPrivateFirst() throws Exception {
        Path state = tmp.resolve("c");
        imageRoot(state);
        try (RecordingKernel k = new RecordingKernel()) {
            ContainerStart.create(runSpec(state, List.of(), false)).start();
            List<Call> calls = k.calls();
            int fs = first(calls, c -> c.name().equals("unshare") && c.arg(0).equals(String.valueOf(jbox.sys.Linux.CLONE_FS)), "unshare(CLONE_FS)");
            int ns = first(calls, c -> c.name().equals("unshare") && (Integer.parseInt(c.arg(0)) & jbox.sys.Linux.CLONE_NEWNS) != 0, "unshare(CLONE_NEWNS)");
            int mount = first(calls, call("mount"), "a mount");
            assertTrue(fs < ns && ns < mount, "own fs_struct, then the namespaces, then mounts: " + calls);
            Call privateRoot = calls.get(mount);
            assertEquals("/", privateRoot.arg(1), "the first mount makes / private, so nothing propagates to the host");
            assertEquals(String.valueOf(jbox.sys.Linux.MS_REC | jbox.sys.Linux.MS_PRIVATE), privateRoot.arg(3));
            int newPidFlags = Integer.parseInt(calls.get(ns).arg(0)) & jbox.sys.Linux.CLONE_NEWPID;
            assertEquals(0, newPidFlags, "the pid namespace is made just before the spawn, not with the others");
        }
    }

    @Test
    void anExecJoinsTheMountNamespaceLast() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        try (RecordingKernel k = new RecordingKernel()) {
            Credentials creds = Credentials.of(0, true, null);
            ExecStart.start(new ExecStart.Spec("0123456789abcdef", self, List.of("sh"), List.of("PATH=/bin:/usr/bin"), "/", "", false,
                    new LaunchSpec.Stdio(0, 1, 2), null, creds, null, tmp, null));
            List<String> joined = k.calls().stream().filter(call("setns")).map(c -> c.arg(c.args().size() - 1)).toList();
            List<Call> calls = k.calls();
            int setnsMnt = last(calls, c -> c.name().equals("setns") && c.arg(1).equals(String.valueOf(jbox.sys.Linux.CLONE_NEWNS)), "setns(mnt)");
            int setnsPid = first(calls, c -> c.name().equals("setns") && c.arg(1).equals(String.valueOf(jbox.sys.Linux.CLONE_NEWPID)), "setns(pid)");
            int chroot = first(calls, call("chroot"), "chroot");
            int spawn = first(calls, call("posix_spawn"), "posix_spawn");
            assertEquals(6, calls.stream().filter(call("setns")).count(), "ipc, uts, net, cgroup, mnt and pid joined: " + joined);
            assertTrue(setnsMnt < setnsPid && setnsPid < chroot && chroot < spawn, "mnt, then pid for the children, the root, the spawn: " + calls);
            int lastOtherJoin = last(calls.subList(0, setnsMnt), call("setns"), "setns before mnt");
            assertTrue(lastOtherJoin < setnsMnt);
        }
    }
}
