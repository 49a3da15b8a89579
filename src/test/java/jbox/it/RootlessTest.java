package jbox.it;

import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * jbox without root: a real unprivileged user, made here with useradd (and the /etc/subuid and
 * /etc/subgid ranges Debian's useradd gives it), runs the launcher with its own default paths, as
 * a learner without sudo would. Root makes the user and, at the end, checks that nothing of the
 * user's runs any more, then removes it with its home.
 */
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessTest {
    private MachineLock machine;
    private String user;
    private Path home;
    private long uid;
    private long subuidStart;

    @BeforeAll
    void makeUser() throws Exception {
        Requires.that(Sys.isRoot(), "making a user needs root; run the tests with sudo ./run-tests");
        machine = MachineLock.take(getClass());
        user = "jbrl" + ProcessHandle.current().pid();
        var add = Jbox.exec(60, "useradd", "--create-home", "--shell", "/bin/sh", user);
        assertEquals(0, add.code(), add.all());
        home = Path.of(Jbox.exec(10, "getent", "passwd", user).out().split(":")[5]);
        uid = Long.parseLong(Jbox.exec(10, "id", "-u", user).out().trim());
        subuidStart = -1;
        for (String line : Files.readAllLines(Path.of("/etc/subuid"))) {
            String[] f = line.split(":");
            if (f.length == 3 && f[0].equals(user)) subuidStart = Long.parseLong(f[1]);
        }
        assertTrue(subuidStart > 0, "useradd gave " + user + " a range in /etc/subuid (SUB_UID_MIN in /etc/login.defs)");
    }

    @AfterAll
    void removeUser() throws Exception {
        try (MachineLock ignored = machine) {
            if (user == null) return;
            try {
                // The namespaces' holder ends by itself once no jbox process of the user is left.
                Eventually.waitFor(() -> processesOfUser().isEmpty(), "every process of " + user + " (jbox, its containers, jbox-userns) to end");
            } finally {
                // Also when that failed: the user and everything of theirs go (a failure above names what was left).
                for (String p : processesOfUser()) Jbox.exec(10, "kill", "-KILL", p.split("\\s+")[1]);
                Eventually.waitFor(() -> processesOfUser().stream().allMatch(p -> p.endsWith("<defunct>")), "killed processes of " + user + " to end");
                var del = Jbox.exec(60, "userdel", "--remove", user);
                Jbox.exec(30, "rm", "-rf", "/tmp/jbox-" + uid);
                assertEquals(0, del.code(), del.all());
                assertFalse(Files.exists(home), "the user's home, with its jbox root, is gone");
            }
        }
    }

    /** The user's processes, as ps sees them from the host (pids, commands). */
    private List<String> processesOfUser() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Jbox.exec(10, "ps", "-e", "-o", "uid=,pid=,args=").out().split("\n")) {
            String[] f = line.trim().split("\\s+", 3);
            if (f.length < 2) continue;
            long owner = Long.parseLong(f[0]);
            if (owner == uid || (owner >= subuidStart && owner < subuidStart + 65536)) out.add(line.trim());
        }
        return out;
    }

    /** ./jbox ARGS as the user, with a login's environment and nothing of root's. */
    private Jbox.Result as(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        return asUser(user, home, timeoutSeconds, args);
    }

    private static Jbox.Result asUser(String name, Path dir, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", name, "--", "env", "-i", "HOME=" + dir, "USER=" + name, "LOGNAME=" + name,
                "PATH=/usr/local/bin:/usr/bin:/bin", "JBOX_LANG=en"));
        cmd.add(Jbox.HOME.resolve("jbox").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        return Jbox.capture(pb.start(), timeoutSeconds, "jbox " + String.join(" ", args) + " as " + name);
    }

    private Jbox.Result as(String... args) throws IOException, InterruptedException { return as(120, args); }

    private Path usersFile(String name, String text) throws Exception {
        Path f = home.resolve(name);
        Files.writeString(f, text);
        Files.setAttribute(f, "unix:uid", (int) uid);
        return f;
    }

    private static long ownerOf(Path p) throws IOException { return ((Number) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue(); }

    @Test
    void aContainersRootIsTheUserOnTheHost() throws Exception {
        var info = as("info");
        assertEquals(0, info.code(), info.all());
        assertTrue(info.out().contains("Mode: rootless: uid 0 in jbox and its containers is uid " + uid + " on the host"), info.out());
        assertTrue(info.out().contains("Root Dir: " + home.resolve(".local/share/jbox")), "XDG's data directory: " + info.out());

        var run = as("run", "--rm", "busybox", "sh", "-c", "id -u; cat /proc/self/uid_map");
        assertEquals(0, run.code(), run.all());
        String[] lines = run.out().trim().split("\n");
        assertEquals("0", lines[0], "root inside");
        assertEquals(List.of("0", Long.toString(uid), "1"), List.of(lines[1].trim().split("\\s+")), "uid 0 is the user outside");
        assertEquals(List.of("1", Long.toString(subuidStart), "65536"), List.of(lines[2].trim().split("\\s+")), "then the user's /etc/subuid range");

        Path root = home.resolve(".local/share/jbox");
        assertEquals(uid, ownerOf(root));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root)), "no other user sees into it");
        Path run_ = Path.of("/tmp/jbox-" + uid);
        assertEquals(uid, ownerOf(run_), "the run directory (no XDG_RUNTIME_DIR here) is the user's");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(run_)));
    }

    @Test
    void anImageWithASecondUsersFilesIsBuiltAndRun() throws Exception {
        Path context = Files.createDirectories(home.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), """
                FROM busybox
                RUN mkdir -p /d/sub /home/bob && touch /d/sub/x /home/bob/f && chown 1000:1000 /home/bob/f
                RUN rm -rf /d/sub && mkdir /d/sub && touch /d/sub/z
                """);
        Jbox.exec(10, "chown", "-R", uid + ":" + uid, context.toString());
        var build = as(300, "build", "-q", "-t", "second-user", context.toString());
        assertEquals(0, build.code(), build.all());
        var run = as("run", "--rm", "--network", "none", "second-user", "sh", "-c", "stat -c %u:%g /home/bob/f; ls /d/sub");
        assertEquals(0, run.code(), run.all());
        assertEquals("1000:1000\nz\n", run.out(), "uid 1000 inside, and a directory a later layer replaced shows only its new file");
        // On the host that file belongs to the user's subordinate uid 999 past the range's start (inside uid 1 is its start).
        Path layers = home.resolve(".local/share/jbox/layers");
        List<Long> owners = new ArrayList<>();
        try (var files = Files.walk(layers)) {
            for (Path p : files.filter(p -> p.endsWith(Path.of("home/bob/f"))).toList()) owners.add(ownerOf(p));
        }
        assertEquals(List.of(subuidStart + 999), owners);
        assertEquals(0, as("rmi", "second-user").code());
    }

    @Test
    void aBackgroundContainerIsReachedByLaterCommands() throws Exception {
        var start = as("run", "-d", "--name", "bg", "--network", "none", "busybox", "sh", "-c", "echo started; exec sleep 300");
        assertEquals(0, start.code(), start.all());
        try {
            assertEquals("0\n", as("exec", "bg", "id", "-u").out(), "exec joins the container from another jbox process");
            Eventually.waitFor(() -> as("logs", "bg").out().contains("started"), "the container's output in jbox logs");
            assertTrue(as("ps").out().contains(" bg\n"));
            assertEquals(0, as("stop", "-t", "1", "bg").code());
            var ps = as("ps", "-a");
            assertTrue(ps.out().contains("Exited (137)"), "sleep as PID 1 ignores SIGTERM, so stop -t 1 killed it, as docker would: " + ps.out());
        } finally {
            as("rm", "-f", "bg");
        }
    }

    @Test
    void aVolumeAndABindMountOfTheUsersOwnFiles() throws Exception {
        Path data = Files.createDirectories(home.resolve("data"));
        Files.setAttribute(data, "unix:uid", (int) uid);
        var write = as("run", "--rm", "--network", "none", "-v", data + ":/data", "-v", "kept:/kept", "busybox", "sh", "-c",
                "echo from-container > /data/out && echo v > /kept/f");
        assertEquals(0, write.code(), write.all());
        assertEquals("from-container\n", Files.readString(data.resolve("out")));
        assertEquals(uid, ownerOf(data.resolve("out")), "root inside writes as the user outside");
        assertEquals("v\n", as("run", "--rm", "--network", "none", "-v", "kept:/kept", "busybox", "cat", "/kept/f").out());
        assertEquals(0, as("volume", "rm", "kept").code());
    }

    @Test
    void aPublishedPortReachesTheContainerThroughTheUserModeNetwork() throws Exception {
        Path tun = Path.of("/dev/net/tun");
        Requires.that(Files.exists(tun) && java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tun)).endsWith("rw-"),
                "/dev/net/tun open to users, as Debian makes it (scripts/setup sets mode 0666)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        usersFile("index.html", "hello from a container of " + user + "\n");
        var start = as("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":80", "-v", home.resolve("index.html") + ":/www/index.html:ro",
                "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
        assertEquals(0, start.code(), start.all());
        try {
            String[] body = new String[1];
            Eventually.waitFor(() -> (body[0] = get("http://127.0.0.1:" + port + "/")) != null, "the container's web server on 127.0.0.1:" + port);
            assertEquals("hello from a container of " + user + "\n", body[0]);
            var address = as("exec", "web", "sh", "-c", "ip -4 addr show tap0 | grep -o 'inet [0-9./]*'; ip route | grep default");
            assertEquals(0, address.code(), address.all());
            assertTrue(address.out().contains("inet 10.0.2.100/24") && address.out().contains("default via 10.0.2.2"), address.out());
            // Outbound: a server of the test's on the host's own address (not loopback, which slirp4netns keeps the container from).
            String hostIp = Jbox.exec(10, "sh", "-c", "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1").out().trim();
            Requires.that(!hostIp.isEmpty(), "a non-loopback IPv4 address on this host, for the container to reach");
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(hostIp, 0), 0);
            server.createContext("/", ex -> {
                byte[] b = ("seen from " + ex.getRemoteAddress().getAddress().getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            server.start();
            try {
                var out = as("exec", "web", "wget", "-q", "-O", "-", "http://" + hostIp + ":" + server.getAddress().getPort() + "/");
                assertEquals(0, out.code(), out.all());
                assertEquals("seen from " + hostIp + "\n", out.out(), "the container's traffic leaves as the user's own socket on the host");
            } finally {
                server.stop(0);
            }
        } finally {
            as("rm", "-f", "web");
        }
        Eventually.waitFor(() -> get("http://127.0.0.1:" + port + "/") == null, "the port to close with its container (slirp4netns ended)");
    }

    @Test
    void withoutASubordinateRangeOnlyRootExistsInsideAndAnImageThatNeedsMoreIsRefused() throws Exception {
        String single = "jbrs" + ProcessHandle.current().pid();
        assertEquals(0, Jbox.exec(60, "useradd", "--create-home", "--shell", "/bin/sh", single).code());
        Path singleHome = Path.of(Jbox.exec(10, "getent", "passwd", single).out().split(":")[5]);
        long singleUid = Long.parseLong(Jbox.exec(10, "id", "-u", single).out().trim());
        Path root = Files.createTempDirectory(Jbox.HOME.resolve("target"), "it-root-");
        try {
            for (String f : List.of("/etc/subuid", "/etc/subgid")) {
                List<String> kept = Files.readAllLines(Path.of(f)).stream().filter(l -> !l.startsWith(single + ":")).toList();
                Files.write(Path.of(f), kept); // what an administrator's user without a range has
            }
            var id = asUser(single, singleHome, 120, "run", "--rm", "--network", "none", "busybox", "sh", "-c", "id; cat /proc/self/uid_map");
            assertEquals(0, id.code(), id.all());
            assertTrue(id.out().startsWith("uid=0(root) gid=0(root)"), id.out());
            assertEquals(List.of("0", Long.toString(singleUid), "1"), List.of(id.out().lines().toList().get(1).trim().split("\\s+")), "one id: the user");

            // An image with a file of uid 1000, built and saved by root, loaded by the user.
            Jbox asRoot = new Jbox(root);
            Path context = Files.createDirectories(root.resolve("ctx"));
            Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN touch /f && chown 1000:1000 /f\n");
            assertEquals(0, asRoot.run("pull", "busybox").code());
            var build = asRoot.run(300, "build", "-q", "-t", "owned-by-1000", context.toString());
            assertEquals(0, build.code(), build.all());
            Path tar = singleHome.resolve("owned.tar");
            assertEquals(0, asRoot.run("save", "-o", tar.toString(), "owned-by-1000").code());
            Jbox.exec(10, "chown", singleUid + ":" + singleUid, tar.toString());
            var load = asUser(single, singleHome, 120, "load", "-i", tar.toString());
            assertNotEquals(0, load.code(), load.all());
            assertTrue(load.err().contains("it belongs to uid 1000, gid 1000, which your user namespace does not have")
                    && load.err().contains("usermod --add-subuids"), "names the file, the missing ids and the fix: " + load.err());
        } finally {
            for (String image : new String[]{"owned-by-1000", "busybox"}) new Jbox(root).run("rmi", image);
            jbox.io.AtomicFiles.deleteTree(root);
            Eventually.waitFor(() -> Jbox.exec(10, "pgrep", "-u", single).out().isBlank(), "every process of " + single + " to end");
            assertEquals(0, Jbox.exec(60, "userdel", "--remove", single).code());
            Jbox.exec(30, "rm", "-rf", "/tmp/jbox-" + singleUid);
        }
    }

    private static String get(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            if (c.getResponseCode() != 200) return null;
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void theDaemonServesTheDockerCliOnTheUsersOwnSocket() throws Exception {
        Path socket = Path.of("/tmp/jbox-" + uid + "/jbox.sock");
        Path log = home.resolve("daemon.log");
        Process daemon = new ProcessBuilder("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin", "JBOX_LANG=en",
                Jbox.HOME.resolve("jbox").toString(), "daemon").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Eventually.waitFor(() -> as("info").out().contains("Engine: daemon at unix://" + socket), "the user's daemon on " + socket);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)), "the user's alone");
            List<String> docker = List.of("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin",
                    "docker", "-H", "unix://" + socket, "run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo through the daemon; id -u");
            var run = Jbox.capture(new ProcessBuilder(docker).start(), 120, "docker run as " + user);
            assertEquals(0, run.code(), run.all());
            assertEquals("through the daemon\n0\n", run.out());
            var other = Jbox.exec(60, "runuser", "-u", "nobody", "--", "env", "-i", "HOME=/nonexistent", "PATH=/usr/local/bin:/usr/bin:/bin",
                    "docker", "-H", "unix://" + socket, "ps");
            assertNotEquals(0, other.code(), "another user cannot reach it: " + other.all());
            assertTrue(other.all().contains("permission denied"), other.all());
        } finally {
            java.util.regex.Matcher keeper = java.util.regex.Pattern.compile("keeper pid (\\d+)").matcher(as("info").out());
            if (keeper.find()) Jbox.exec(10, "kill", "-TERM", keeper.group(1));
            assertTrue(daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the daemon stops on SIGTERM:\n" + Files.readString(log));
        }
        assertFalse(Files.exists(socket), "its socket goes with it");
    }

    @Test
    void whatTheHostKeepsForRootIsRefusedWithTheCause() throws Exception {
        var limited = as("run", "--rm", "--network", "none", "-m", "64m", "busybox", "true");
        assertEquals(125, limited.code(), limited.all());
        assertTrue(limited.err().contains("cannot limit container") && limited.err().contains("jbox runs without root"), limited.err());
        var network = as("network", "create", "mine");
        assertNotEquals(0, network.code());
        assertTrue(network.err().contains("jbox runs without root, and a network of its own needs a bridge device"), network.err());
        assertFalse(as("network", "ls").out().contains(" mine "), "nothing of it was kept");
        var lowPort = as("run", "--rm", "-p", "80:80", "busybox", "true");
        assertEquals(125, lowPort.code(), lowPort.all());
        assertTrue(lowPort.err().contains("ports below 1024 are root's"), lowPort.err());
        assertEquals("", as("ps", "-a", "-q").out(), "nothing was left half-made");
    }

    @Test
    void theShellsNamespaceStepsWork() throws Exception {
        Path script = usersFile("steps.jbox", "sandbox busybox\nenter pid\nenter mnt\nin ps -o pid,comm\nin cat /proc/self/uid_map\n"
                + "enter user\nin cat /proc/self/uid_map\nin hostname elsewhere\n");
        var shell = as(180, "shell", "--script", script.toString());
        assertEquals(1, shell.code(), "every step ran, and the last one is refused on purpose: " + shell.all());
        String out = shell.out();
        int ps = out.indexOf("PID   COMMAND");
        assertTrue(ps >= 0, out);
        List<String> processes = out.substring(ps).lines().skip(1).takeWhile(l -> l.matches("\\s*\\d+ .*")).map(String::trim).toList();
        assertEquals(List.of("1 catatonit", "2 ps"), processes, "only the sandbox's processes after enter pid and enter mnt");
        assertTrue(out.matches("(?s).*\\n\\s*0\\s+" + uid + "\\s+1\\n.*"), "the sandbox's uid 0 is the user: " + out);
        assertTrue(out.matches("(?s).*\\n\\s*0\\s+65534\\s+1\\n.*"), "after enter user, the sandbox's uid 0 is jbox's nobody: " + out);
        assertTrue(shell.err().contains("sethostname: Operation not permitted"), "root in the new user namespace may not rename the uts namespace jbox owns: " + shell.all());
        assertTrue(out.matches("(?s).*\\nuser +user:\\[\\d+\\] +user:\\[\\d+\\] +isolated\\n.*"), "ns shows the sandbox's user namespace as its own: " + out);
    }

    @Test
    void theLessonsRunWithoutRootOrSayWhyNot() throws Exception {
        var check = as(900, "lesson", "check", Jbox.HOME.resolve("lessons/en").toString(), "--jobs", "2");
        String out = check.out() + check.err();
        assertTrue(out.contains(", 0 failed,"), out);
        List<String> skipped = out.lines().filter(l -> l.startsWith("SKIP ")).toList();
        for (String line : skipped) {
            assertTrue(line.contains(": it makes network devices on the host") || line.contains(": it uses cgroups, and jbox runs without root"),
                    "a lesson skipped without root says which host feature it needs: " + line);
        }
        assertTrue(skipped.stream().anyMatch(l -> l.startsWith("SKIP en/09-net")), "the veth lesson needs real root: " + out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("PASS en/07-pid")) && out.lines().anyMatch(l -> l.startsWith("PASS en/10-user-and-cgroup")),
                "the namespace lessons run without root: " + out);
        assertEquals(skipped.isEmpty() ? 0 : 2, check.code(), "exit 2: none failed, some could not run here");
    }
}
