package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.AtomicFiles;
import jbox.io.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attacks on the host through a container, run as an attacker would, each seen failing: a host user
 * running a container's setuid file, a container making namespaces past the seccomp filter, and
 * HostConfig fields that ask for what jbox does not do. And every security flag seen from inside.
 */
class SecurityTest extends RealEngineTest {
    private JboxDaemon daemon;

    @BeforeAll
    void startDaemon() throws Exception {
        daemon = new JboxDaemon(jbox);
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon != null) daemon.close();
    }

    private Jbox.Result run(String... args) throws Exception {
        return jbox.run(args);
    }

    private static Jbox.Result sh(String... cmd) throws Exception { return Jbox.exec(60, cmd); }

    // ---- the jbox root: a host user cannot reach what containers write (CVE-2021-41091) ----

    @Test
    void aHostUserCannotRunASetuidFileAContainerWrote() throws Exception {
        Path work = Files.createTempDirectory(Jbox.HOME.resolve("target"), "setuid-");
        String user = "jbxatk" + Long.toHexString(System.nanoTime()).substring(6);
        try {
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path src = work.resolve("euid.c");
            Files.writeString(src, """
                    #include <fcntl.h>
                    #include <stdio.h>
                    #include <unistd.h>
                    int main(void) {
                        int fd = open("/etc/shadow", O_RDONLY);
                        printf("uid=%d euid=%d shadow=%s\\n", getuid(), geteuid(), fd >= 0 ? "readable" : "refused");
                        return 0;
                    }
                    """);
            var cc = sh("gcc", "-static", "-O", "-o", work.resolve("euid").toString(), src.toString());
            assertEquals(0, cc.code(), "the probe compiles: " + cc.all());
            assertEquals(0, sh("useradd", "-M", "-s", "/usr/sbin/nologin", user).code(), "a real unprivileged user");
            // A root left as older jbox versions (and mkdir -p) made it: jbox must close it itself.
            Files.setPosixFilePermissions(jbox.root, PosixFilePermissions.fromString("rwxr-xr-x"));
            var c = run("run", "--name", "setuid-writer", "-v", work + ":/in:ro", "-v", "attack:/vol", "busybox", "sh", "-c",
                    "cp /in/euid /vol/euid && chmod 4755 /vol/euid && cp /in/euid /tmp/euid && chmod 4755 /tmp/euid && ls -l /vol/euid");
            assertEquals(0, c.code(), c.all());
            assertTrue(c.out().startsWith("-rwsr-xr-x"), "the container made a setuid-root file: " + c.out());
            String id = run("inspect", "-f", "{{.Id}}", "setuid-writer").out().trim();

            // The control: the same file, where the user can reach it, does give root. The attack is real here.
            Path control = Files.createDirectory(work.resolve("control")).resolve("euid");
            Files.copy(work.resolve("euid"), control);
            assertEquals(0, sh("chmod", "4755", control.toString()).code());
            // runuser, not setpriv: setpriv keeps root's capabilities until its exec, and would reach any path
            var reached = sh("runuser", "-u", user, "--", control.toString());
            assertTrue(reached.out().matches("uid=\\d+ euid=0 shadow=readable\\n"), "the control works as root: " + reached.all());

            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(jbox.root)), "jbox closed its root again");
            for (Path target : List.of(jbox.root.resolve("volumes/attack/_data/euid"), jbox.root.resolve("containers/" + id + "/upper/tmp/euid"))) {
                assertTrue(Files.exists(target), "the file is there for root: " + target);
                var attack = sh("runuser", "-u", user, "--", target.toString());
                assertNotEquals(0, attack.code(), "the host user cannot run " + target + ": " + attack.all());
                assertFalse(attack.out().contains("euid=0"), attack.all());
                assertTrue(attack.err().contains("Permission denied"), attack.all());
            }
            var log = sh("stat", "-c", "%a", jbox.root.resolve("containers/" + id + "/container-json.log").toString());
            assertEquals("640", log.out().trim(), "the container's log is root's and its group's, as docker's");
            assertEquals(0, run("rm", "-v", "setuid-writer").code());
            assertEquals(0, run("volume", "rm", "attack").code());
        } finally {
            sh("userdel", user);
            AtomicFiles.deleteTree(work);
        }
    }

    // ---- seccomp ----

    @Test
    void everyContainerRunsUnderDockersSeccompFilter() throws Exception {
        var status = run("run", "--rm", "busybox", "grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status");
        assertEquals("NoNewPrivs:\t1\nSeccomp:\t2\n", status.out(), status.all());
        // unshare is one of the calls Docker's profile allows only with CAP_SYS_ADMIN: a user namespace would give it back
        var escape = run("run", "--rm", "busybox", "sh", "-c", "unshare -U -r -m sh -c 'mount -t tmpfs x /tmp && echo MOUNTED'");
        assertNotEquals(0, escape.code());
        assertTrue(escape.err().contains("unshare: unshare(0x10020000): Operation not permitted"), escape.all());
        assertFalse(escape.out().contains("MOUNTED"));
        // exec'd processes get the same filter
        assertEquals(0, run("run", "-d", "--name", "filtered", "busybox", "sleep", "1000").code());
        try {
            var exec = run("exec", "filtered", "grep", "^Seccomp:", "/proc/self/status");
            assertEquals("Seccomp:\t2\n", exec.out(), exec.all());
        } finally {
            run("rm", "-f", "filtered");
        }
    }

    @Test
    void seccompUnconfinedAndAProfileFileWorkAsInDocker() throws Exception {
        var unconfined = run("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c",
                "grep ^Seccomp: /proc/self/status; unshare -U -r -m sh -c 'mount -t tmpfs x /tmp && echo MOUNTED'");
        assertEquals("Seccomp:\t0\nMOUNTED\n", unconfined.out(), unconfined.all());

        Path profile = jbox.root.resolve("no-mkdir.json");
        Files.writeString(profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        var denied = run("run", "--rm", "--security-opt", "seccomp=" + profile, "busybox", "sh", "-c", "mkdir /made; echo $?");
        assertTrue(denied.err().contains("mkdir: can't create directory '/made': Operation not permitted"), denied.all());
        assertEquals("1\n", denied.out());

        // An allow-list written before clone3 and rseq existed (as the OCI conformance suite's): glibc's posix_spawn
        // (jbox's own start) tries clone3 first and falls back to clone only on ENOSYS, which the stub in front of the
        // filter answers; rseq's EPERM glibc tolerates. The container starts.
        JsonNode ours = Json.MAPPER.readTree(Jbox.HOME.resolve("src/main/resources/jbox/seccomp-default.json").toFile());
        var old = Json.MAPPER.createObjectNode();
        old.put("defaultAction", "SCMP_ACT_ERRNO");
        var names = old.putArray("syscalls").addObject().put("action", "SCMP_ACT_ALLOW").putArray("names");
        for (JsonNode rule : ours.path("syscalls")) {
            if (rule.has("includes") || rule.has("excludes") || rule.has("args")) continue; // the plain allow-list
            for (JsonNode n : rule.path("names")) if (!List.of("clone3", "rseq").contains(n.asText())) names.add(n.asText());
        }
        names.add("clone");
        names.add("arch_prctl"); // Docker's profile allows it per architecture; a static binary sets its TLS with it
        Path before = jbox.root.resolve("before-clone3.json");
        Files.write(before, Json.MAPPER.writeValueAsBytes(old));
        var started = run("run", "--rm", "--security-opt", "seccomp=" + before, "busybox", "echo", "started");
        assertEquals("started\n", started.out(), started.all());

        Path noFutex = jbox.root.resolve("no-futex.json");
        Files.writeString(noFutex, "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        var refused = run("run", "--rm", "--security-opt", "seccomp=" + noFutex, "busybox", "true");
        assertEquals(125, refused.code());
        assertTrue(refused.err().contains("the profile does not allow mmap, munmap"), "a profile that would kill jbox's own thread is refused: " + refused.all());
    }

    // ---- capabilities and privileged ----

    @Test
    void capAddAndCapDropChangeWhatRootInsideMayDo() throws Exception {
        var none = run("run", "--rm", "--cap-drop", "ALL", "busybox", "sh", "-c", "grep CapBnd /proc/self/status; chown 1 /tmp");
        assertTrue(none.out().contains("CapBnd:\t0000000000000000"), none.all());
        assertTrue(none.err().contains("chown: /tmp: Operation not permitted"), none.all());
        var some = run("run", "--rm", "--cap-drop", "chown", "--cap-add", "NET_ADMIN", "busybox", "sh", "-c", "ip link set lo mtu 1400 && echo net-admin; chown 1 /tmp");
        assertTrue(some.out().contains("net-admin"), some.all());
        assertTrue(some.err().contains("chown: /tmp: Operation not permitted"), some.all());
        var plain = run("run", "--rm", "busybox", "sh", "-c", "ip link set lo mtu 1400");
        assertNotEquals(0, plain.code(), "without NET_ADMIN the same fails");
        var bad = run("run", "--rm", "--cap-add", "NO_SUCH_CAP", "busybox", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("unknown capability: \"NO_SUCH_CAP\""), bad.all());
    }

    @Test
    void privilegedGetsEveryCapabilityAndDeviceAndNoFilter() throws Exception {
        var p = run("run", "--rm", "--privileged", "busybox", "sh", "-c",
                "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; grep -c . /proc/kcore >/dev/null 2>&1 && echo kcore; mount | grep ' /sys '; test -b /dev/" + firstHostDisk());
        assertEquals(0, p.code(), p.all());
        assertTrue(p.out().contains("NoNewPrivs:\t0\nSeccomp:\t0\n"), p.all());
        assertTrue(p.out().contains("sysfs on /sys type sysfs (rw"), "a writable /sys: " + p.all());
        var plain = run("run", "--rm", "busybox", "sh", "-c", "mount | grep ' /sys '; ls /dev");
        assertTrue(plain.out().contains("sysfs on /sys type sysfs (ro"), plain.all());
        assertFalse(plain.out().contains(firstHostDisk()), "no host disk without --privileged: " + plain.out());
    }

    /** A device node of the host that no container has by default (the disk / is on). */
    private static String firstHostDisk() throws Exception {
        var lsblk = sh("sh", "-c", "ls /sys/block | grep -v -E '^(loop|ram|zram)' | head -1");
        String disk = lsblk.out().trim();
        assertFalse(disk.isEmpty(), "this host has a disk");
        return disk;
    }

    @Test
    void aDevicePassedInIsUsableAndOthersAreNot() throws Exception {
        var d = run("run", "--rm", "--device", "/dev/null:/dev/mynull:rw", "busybox", "sh", "-c", "ls -l /dev/mynull; echo hi > /dev/mynull && echo written");
        assertEquals(0, d.code(), d.all());
        assertTrue(d.out().matches("(?s)crw-rw-rw-\\s+1 root\\s+root\\s+1,\\s+3 .*/dev/mynull\\nwritten\\n"), d.all());
        var missing = run("run", "--rm", "--device", "/dev/no-such-device", "busybox", "true");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("error gathering device information while adding device \"/dev/no-such-device\": no such file or directory"), missing.all());
    }

    // ---- namespaces shared with the host or another container ----

    @Test
    void pidIpcAndUtsCanBeSharedAsInDocker() throws Exception {
        String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        assertEquals(hostName + "\n", run("run", "--rm", "--uts", "host", "busybox", "hostname").out());
        var pidHost = run("run", "--rm", "--pid", "host", "busybox", "sh", "-c", "cat /proc/1/comm; echo $$");
        List<String> lines = pidHost.out().lines().toList();
        assertEquals(List.of(Files.readString(Path.of("/proc/1/comm")).trim()), lines.subList(0, 1), "PID 1 is the host's init: " + pidHost.all());
        assertNotEquals("1", lines.get(1), "in the host's pid namespace the shell is not PID 1: " + pidHost.all());
        var ownPid = run("run", "--rm", "busybox", "sh", "-c", "echo $$");
        assertEquals("1\n", ownPid.out(), "without --pid host it is");
        var conflict = run("run", "--rm", "--uts", "host", "-h", "other", "busybox", "true");
        assertEquals(125, conflict.code());
        assertTrue(conflict.err().contains("Conflicting options: hostname and the UTS mode"), conflict.all());

        assertEquals(0, run("run", "-d", "--name", "pidowner", "--ipc", "shareable", "busybox", "sh", "-c", "echo shared > /dev/shm/mark; sleep 1000").code());
        try {
            Eventually.waitFor(() -> run("exec", "pidowner", "cat", "/dev/shm/mark").out().equals("shared\n"), "the first container's mark");
            var joined = run("run", "--rm", "--pid", "container:pidowner", "--ipc", "container:pidowner", "busybox", "sh", "-c",
                    "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /dev/shm/mark");
            assertEquals("sleep 1000 \nshared\n", joined.out(), "its PID 1 (sh exec'd its last command) and its /dev/shm: " + joined.all());
        } finally {
            run("rm", "-f", "pidowner");
        }
        var none = run("run", "--rm", "--ipc", "none", "busybox", "sh", "-c", "test -e /dev/shm || echo no-shm");
        assertEquals("no-shm\n", none.out(), none.all());
        var gone = run("run", "--rm", "--pid", "container:nosuch", "busybox", "true");
        assertEquals(125, gone.code());
        assertTrue(gone.err().contains("No such container: nosuch"), gone.all());
    }

    // ---- sysctls, ulimits, OOM score, groups, /dev/shm, masked paths, cgroup parent, logs ----

    @Test
    void processSettingsAreWhatTheFlagsSay() throws Exception {
        var r = run("run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=123456789", "--ulimit", "nofile=1024:2048",
                "--oom-score-adj", "500", "--group-add", "1234", "--group-add", "tty", "--shm-size", "8m", "busybox", "sh", "-c",
                "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; id -G; df -k /dev/shm | tail -1");
        assertEquals(0, r.code(), r.all());
        List<String> l = r.out().lines().toList();
        assertEquals(List.of("1", "123456789", "1024", "2048", "500"), l.subList(0, 5), r.all());
        assertEquals(List.of("0", "5", "1234"), List.of(l.get(5).split(" ")), "root's group and the added ones (tty by its name in the image's /etc/group): " + l.get(5));
        assertTrue(l.get(6).matches("shm\\s+8192\\s.*"), "an 8 MiB /dev/shm: " + l.get(6));
        assertNotEquals("123456789\n", Files.readString(Path.of("/proc/sys/kernel/shmmax")), "the host's value is untouched");

        var hostOnly = run("run", "--rm", "--sysctl", "vm.swappiness=10", "busybox", "true");
        assertEquals(125, hostOnly.code());
        assertTrue(hostOnly.err().contains("sysctl \"vm.swappiness\" is not allowed"), hostOnly.all());
        var hostNet = run("run", "--rm", "--network", "host", "--sysctl", "net.ipv4.ip_forward=1", "busybox", "true");
        assertEquals(125, hostNet.code());
        assertTrue(hostNet.err().contains("not allowed with --network host"), hostNet.all());
        // a user other than root: the process has taken that user before its limits are set from outside
        var asUser = run("run", "--rm", "--user", "1000:1000", "--ulimit", "nofile=512:512", "busybox", "sh", "-c", "id -u; ulimit -n; ulimit -Hn");
        assertEquals("1000\n512\n512\n", asUser.out(), asUser.all());
        // an exec gets the container's limits too, as runc exec gives them, also as another user
        var detached = run("run", "-d", "--ulimit", "nofile=1024:2048", "--oom-score-adj", "300", "busybox", "sleep", "1000");
        String id = detached.out().trim();
        var exec = run("exec", "-u", "1000", id, "sh", "-c", "ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj");
        assertEquals("1024\n2048\n300\n", exec.out(), exec.all());
        run("rm", "-f", id);
        var badUlimit = run("run", "--rm", "--ulimit", "nofile=2048:1024", "busybox", "true");
        assertEquals(125, badUlimit.code());
        assertTrue(badUlimit.err().contains("the soft limit 2048 is above the hard limit 1024"), badUlimit.all());
    }

    @Test
    void maskedPathsFollowSystempathsAndTheApi() throws Exception {
        assertTrue(Files.size(Path.of("/proc/timer_list")) > 0 || !Files.readString(Path.of("/proc/timer_list")).isEmpty(), "the host's timer_list has content");
        var masked = run("run", "--rm", "busybox", "sh", "-c", "wc -c < /proc/timer_list; (echo x > /proc/sys/kernel/domainname) 2>&1 | grep -c Read-only");
        assertEquals("0\n1\n", masked.out(), "timer_list is masked and /proc/sys read-only: " + masked.all());
        var open = run("run", "--rm", "--security-opt", "systempaths=unconfined", "busybox", "sh", "-c", "mount | grep -c ' /proc/timer_list '");
        assertEquals("0\n", open.out(), "systempaths=unconfined masks nothing: " + open.all());
        JboxDaemon.Reply created = daemon.raw(post("/v1.41/containers/create?name=api-masks",
                "{\"Image\":\"busybox\",\"Cmd\":[\"sh\",\"-c\",\"mount | grep -c ' /proc/timer_list '; mount | grep -c ' /proc/keys '\"],"
                        + "\"HostConfig\":{\"MaskedPaths\":[\"/proc/keys\"],\"ReadonlyPaths\":[]}}"));
        assertEquals(201, created.status(), created.body());
        assertEquals(0, run("start", "-a", "api-masks").code());
        assertEquals("0\n1\n", run("logs", "api-masks").out(), "only the path the API named is masked");
        run("rm", "-f", "api-masks");
    }

    @Test
    void cgroupParentPutsTheContainersCgroupUnderIt() throws Exception {
        String parent = "jbox-test-parent-" + ProcessHandle.current().pid();
        assertEquals(0, run("run", "-d", "--name", "parented", "--cgroup-parent", "/" + parent, "busybox", "sleep", "1000").code());
        String id = run("inspect", "-f", "{{.Id}}", "parented").out().trim();
        try {
            boolean found = false;
            try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path h : s.toList()) found |= Files.isDirectory(h.resolve(parent).resolve(id)) || Files.isDirectory(h.resolve(parent + "/" + id));
            }
            assertTrue(found, "a cgroup " + parent + "/" + id + " in some hierarchy");
            assertEquals(List.of(), Jbox.cgroupsOf(id), "none under jbox's own parent");
        } finally {
            run("rm", "-f", "parented");
        }
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) {
                assertFalse(Files.exists(h.resolve(parent).resolve(id)), "removed with the container");
                if (Files.isDirectory(h.resolve(parent))) Files.deleteIfExists(h.resolve(parent)); // the parent is the test's, as a user's would be theirs
            }
        }
    }

    @Test
    void logDriverNoneKeepsNothingAndLogOptsBoundTheLog() throws Exception {
        assertEquals(0, run("run", "--name", "quiet", "--log-driver", "none", "busybox", "echo", "unseen").code());
        var logs = run("logs", "quiet");
        assertNotEquals(0, logs.code());
        assertTrue(logs.err().contains("configured logging driver does not support reading"), logs.all());
        String id = run("inspect", "-f", "{{.Id}}", "quiet").out().trim();
        assertFalse(Files.exists(jbox.root.resolve("containers/" + id + "/container-json.log")), "no log file at all");
        run("rm", "quiet");
        var refused = run("run", "--rm", "--log-driver", "syslog", "busybox", "true");
        assertEquals(125, refused.code());
        assertTrue(refused.err().contains("logging driver \"syslog\" is not supported by jbox"), refused.all());
    }

    // ---- the API: whole structs accepted, a field jbox would ignore refused ----

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " + json.getBytes().length + "\r\n\r\n" + json;
    }

    @Test
    void hostConfigFieldsAreHonouredOrRefusedNeverIgnored() throws Exception {
        // CapDrop ALL through the API: chown fails inside
        JboxDaemon.Reply created = daemon.raw(post("/v1.41/containers/create?name=api-capdrop",
                "{\"Image\":\"busybox\",\"Cmd\":[\"chown\",\"1\",\"/tmp\"],\"HostConfig\":{\"CapDrop\":[\"ALL\"],\"Privileged\":false,\"Dns\":[],\"ExtraHosts\":null,"
                        + "\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"OomKillDisable\":false,\"MemorySwappiness\":null,\"KernelMemory\":0,\"Unknown\":\"\"}}"));
        assertEquals(201, created.status(), "a whole struct with zero values is accepted: " + created.body());
        var started = run("start", "-a", "api-capdrop");
        assertEquals(1, started.code(), started.all());
        assertTrue(started.err().contains("chown: /tmp: Operation not permitted"), started.all());
        run("rm", "-f", "api-capdrop");

        for (String[] field : List.of(new String[]{"\"Dns\":[\"8.8.8.8\"]", "HostConfig.Dns is not supported by jbox (--dns)"},
                new String[]{"\"ExtraHosts\":[\"a:1.2.3.4\"]", "HostConfig.ExtraHosts is not supported by jbox"},
                new String[]{"\"DeviceCgroupRules\":[\"c 1:3 rwm\"]", "HostConfig.DeviceCgroupRules is not supported by jbox"},
                new String[]{"\"MemorySwappiness\":101", "valid memory swappiness range is 0-100"},
                new String[]{"\"VolumesFrom\":[\"x\"]", "HostConfig.VolumesFrom is not supported by jbox"},
                new String[]{"\"Bogus\":1", "HostConfig.Bogus is not supported by jbox"},
                new String[]{"\"SecurityOpt\":[\"apparmor=docker-default\"]", "jbox applies no AppArmor profile"},
                new String[]{"\"UsernsMode\":\"private\"", "HostConfig.UsernsMode \\\"private\\\" is not supported by jbox"},
                new String[]{"\"Memory\":4611686018427387904", "larger than any machine's memory"},
                new String[]{"\"NanoCpus\":4611686018427387904", "Range of CPUs is from 0.01 to"},
                new String[]{"\"NanoCpus\":-5", "NanoCpus can not be negative (-5)"},
                new String[]{"\"CpuShares\":-5", "CpuShares can not be negative (-5)"},
                new String[]{"\"CpusetCpus\":\"0-9999\"", "Requested CPUs are not available - requested 0-9999"},
                new String[]{"\"BlkioWeight\":99999", "Range of blkio weight is from 10 to 1000"},
                new String[]{"\"Memory\":67108864,\"MemorySwap\":-2", "invalid --memory-swap (MemorySwap) -2"},
                new String[]{"\"Sysctls\":{\"kernel.hostname\":\"x\"}", "sysctl \\\"kernel.hostname\\\" is not allowed"},
                new String[]{"\"Devices\":[{\"PathOnHost\":\"/dev/nosuch\",\"PathInContainer\":\"/dev/x\",\"CgroupPermissions\":\"rwm\"}]",
                        "error gathering device information while adding device \\\"/dev/nosuch\\\""})) {
            JboxDaemon.Reply r = daemon.raw(post("/v1.41/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{" + field[0] + "}}"));
            assertEquals(400, r.status(), field[0] + " gets a 400: " + r.body());
            assertTrue(r.body().contains(field[1]), field[0] + ": " + r.body());
        }
        assertEquals(List.of(), containersNamed("api-"), "nothing was created for a refused request");
    }

    private List<String> containersNamed(String prefix) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : run("ps", "-a", "--format", "{{.Names}}").out().lines().toList()) if (line.startsWith(prefix)) out.add(line);
        return out;
    }

    @Test
    void theDockerCliSecurityFlagsWorkThroughTheDaemon() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        var r = daemon.docker("run", "--rm", "--cap-drop", "ALL", "--security-opt", "no-new-privileges=true", "--ulimit", "nofile=512:512",
                "--sysctl", "net.ipv4.ping_group_range=0 0", "busybox", "sh", "-c", "grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; ulimit -n; cat /proc/sys/net/ipv4/ping_group_range");
        assertEquals(0, r.code(), r.all());
        assertEquals("CapBnd:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n512\n0\t0\n", r.out(), r.all());
        var unconfined = daemon.docker("run", "--rm", "--security-opt", "seccomp=unconfined", "--privileged", "busybox", "grep", "^Seccomp:", "/proc/self/status");
        assertEquals("Seccomp:\t0\n", unconfined.out(), unconfined.all());
        var inspect = daemon.docker("create", "--name", "docker-flags", "--cap-add", "SYS_TIME", "--pid", "host", "--shm-size", "16m", "busybox");
        assertEquals(0, inspect.code(), inspect.all());
        JsonNode host = Json.MAPPER.readTree(daemon.docker("inspect", "docker-flags").out()).get(0).path("HostConfig");
        assertEquals("[\"CAP_SYS_TIME\"]", host.path("CapAdd").toString(), "as the docker CLI sends it");
        assertEquals("host", host.path("PidMode").asText());
        assertEquals(16L << 20, host.path("ShmSize").asLong());
        daemon.docker("rm", "docker-flags");
    }
}
