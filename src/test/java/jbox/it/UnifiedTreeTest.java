package jbox.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cgroup v2 code path with a real kernel: JBOX_CGROUP=v2 makes jbox use only the unified
 * tree. On this project's hybrid CI machine that tree holds no controllers, so limits cannot be
 * seen here (FakeTreeTest covers their files), but everything v2 does without controllers can:
 * moving the gated process in before exec, cgroup.freeze, cgroup.events, cgroup.kill, removal.
 */
class UnifiedTreeTest extends RealEngineTest {
    Path unified;

    @Override
    void configure(Jbox j) {
        j.env.put("JBOX_CGROUP", "v2");
    }

    @org.junit.jupiter.api.BeforeEach
    void findUnifiedTree() throws Exception {
        unified = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" - cgroup2 "))
                .map(l -> Path.of(l.split(" ")[4])).findFirst().orElse(null);
        Requires.machineHas(Requires.MayLack.CGROUP2_MOUNT, unified != null);
    }

    @Test
    void theFirstProcessIsInItsV2CgroupAndTaskControlWorks() throws Exception {
        var r = jbox.run("run", "-d", "busybox", "sh", "-c", "sleep 1000 & i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        Path group = unified.resolve("jbox").resolve(id);
        assertTrue(Files.isDirectory(group), "the container's cgroup is in the unified tree");
        String pid = jbox.run("inspect", "-f", "{{.State.Pid}}", id).out().trim();
        assertTrue(Files.readString(group.resolve("cgroup.procs")).lines().anyMatch(pid::equals), "PID 1 was moved in before it ran");
        assertTrue(Files.readString(group.resolve("cgroup.events")).contains("populated 1"));

        Path counter = jbox.root.resolve("containers").resolve(id).resolve("upper/tmp/count");
        Eventually.waitFor(() -> Files.exists(counter), "the counter to start");
        assertEquals(0, jbox.run("pause", id).code());
        assertTrue(Files.readString(group.resolve("cgroup.events")).contains("frozen 1"), "cgroup.freeze froze it");
        String frozen = Files.readString(counter).trim();
        Thread.sleep(400); // 20 counts' time, in which a running counter would have moved
        assertEquals(frozen, Files.readString(counter).trim());
        assertEquals(0, jbox.run("unpause", id).code());
        Eventually.waitFor(() -> !frozen.equals(Files.readString(counter).trim()), "the unpaused counter to count on");

        assertEquals(0, jbox.run("kill", id).code(), "SIGKILL goes to the whole group through cgroup.kill");
        Eventually.waitFor(() -> !Files.exists(group), "the group to be removed once its processes are gone");
        assertEquals(0, jbox.run("rm", id).code());
    }

    @Test
    void theShellsSandboxProcessesJoinTheirV2Group() throws Exception {
        Path script = Files.createTempFile(jbox.root, "v2", ".jbox");
        Files.writeString(script, "sandbox busybox\nin -d sleep 1000\nhost sh -c 'cat " + unified + "/jbox/sb*/cgroup.procs'\nfreeze\n"
                + "host sh -c 'cat " + unified + "/jbox/sb*/cgroup.events'\nthaw\n"
                + "in sh -c '(grep ^0:: /proc/self/cgroup)'\nenter pid\nenter mnt\nenter cgroup\nin grep ^0:: /proc/self/cgroup\ndiscard\n");
        var r = jbox.run("shell", "--script", script.toString());
        assertEquals(0, r.code(), r.all());
        String spawned = ShellScriptTest.after(r.out(), "in -d sleep 1000");
        String pid = spawned.lines().reduce((a, b) -> b).orElseThrow().trim(); // after explain's posix_spawn line
        assertTrue(spawned.contains("posix_spawn(\"") && spawned.contains(") = " + pid), "explain shows the spawn: " + spawned);
        assertTrue(ShellScriptTest.after(r.out(), "host sh -c 'cat " + unified + "/jbox/sb*/cgroup.procs'").lines().anyMatch(pid::equals), r.out());
        assertTrue(ShellScriptTest.after(r.out(), "host sh -c 'cat " + unified + "/jbox/sb*/cgroup.events'").contains("frozen 1"), r.out());
        // a subshell forked at once by the learner's command was born in the group too: the command waited
        // at a gate until it was moved in, and forked nothing before
        assertTrue(ShellScriptTest.after(r.out(), "in sh -c '(grep ^0:: /proc/self/cgroup)'").matches("0::/jbox/sb[0-9a-f]+\n"), r.out());
        // enter cgroup: a helper in the group made the namespace, the sandbox thread joined it (after enter pid and
        // enter mnt its /proc no longer shows the helper: it joins by a descriptor opened in the host's view)
        assertTrue(ShellScriptTest.after(r.out(), "enter cgroup").contains("CLONE_NEWCGROUP) = 0"), r.out());
        assertTrue(ShellScriptTest.after(r.out(), "in grep ^0:: /proc/self/cgroup").lines().anyMatch("0::/"::equals), r.out());
    }

    /** An exec'd process waits at a gate until it is in the container's group: a subshell it forks at once is born inside. */
    @Test
    void anExecIsBornInTheContainersGroup() throws Exception {
        var r = jbox.run("run", "-d", "busybox", "sleep", "1000");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        var e = jbox.run("exec", id, "sh", "-c", "(grep ^0:: /proc/self/cgroup)");
        assertEquals("0::/\n", e.out(), e.all());
        assertTrue(Files.readString(unified.resolve("jbox").resolve(id).resolve("cgroup.procs")).lines().count() == 1, "the exec's processes left with it");
        try (var gates = Files.list(jbox.root.resolve("containers").resolve(id))) {
            assertTrue(gates.noneMatch(p -> p.getFileName().toString().startsWith("exec-gate")), "the exec's gate is gone");
        }
        assertEquals(0, jbox.run("rm", "-f", id).code());
    }

    /** As Docker on v2: /proc/self/cgroup says 0::/, and the container's own group is mounted read-only where the host's tree is. */
    @Test
    void aContainerSeesItsOwnGroupAsTheRoot() throws Exception {
        String inside = unified.toString();
        var r = jbox.run("run", "--rm", "busybox", "sh", "-c",
                "grep ^0:: /proc/self/cgroup; echo procs:; cat " + inside + "/cgroup.procs; mkdir " + inside + "/x 2>&1; ls " + inside + " | grep -c '^cgroup\\.'");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("0::/\n"), r.out());
        assertTrue(r.out().substring(r.out().indexOf("procs:")).lines().anyMatch("1"::equals), "PID 1 in its own cgroup.procs, in its own pid numbers: " + r.out());
        assertTrue(r.out().contains("Read-only file system"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("[1-9][0-9]*")), "the group's cgroup.* files are there: " + r.out());
    }

    @Test
    void limitsThisTreeCannotEnforceAreRefusedClearly() throws Exception {
        // the premise is this tree's own: a hybrid host's cgroup2 mount has no controllers, a pure v2 host's has them all
        Requires.machineHas(Requires.MayLack.V2_WITHOUT_MEMORY, !Files.readString(unified.resolve("cgroup.controllers")).contains("memory"));
        var before = jbox.containerDirs();
        var r = jbox.run("run", "--rm", "-m", "32m", "busybox", "true");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("--memory needs the cgroup \"memory\" controller, which this host does not offer (v2 cgroups"), r.err());
        assertEquals(before, jbox.containerDirs(), "nothing half-created is left");
    }
}
