package jbox.it;

import jbox.Version;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jbox.io.AtomicFiles;
import jbox.io.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * jbox-runc, jbox's OCI runtime: the specification's lifecycle driven by hand (create, start,
 * state, kill, delete, pause, exec, update, run), config.json errors answered as runc answers them,
 * and the real callers running containers through it: podman (--runtime), dockerd (--add-runtime)
 * and containerd (ctr --runc-binary, containerd's runc shim, the path Kubernetes takes).
 * Every test checks that no state, cgroup or process is left behind.
 */
class OciRuntimeTest extends RealEngineTest {
    static final Path RUNC = Jbox.HOME.resolve("jbox-runc");
    Path work, stateRoot, bundle;

    @BeforeAll
    void makeBundle() throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "jbox-oci-");
        stateRoot = work.resolve("state");
        bundle = work.resolve("bundle");
        Files.createDirectories(bundle);
        var rootfs = sh(60, "bash", Jbox.HOME.resolve("images/busybox/rootfs.sh").toString(), bundle.resolve("rootfs").toString());
        assertEquals(0, rootfs.code(), rootfs.all());
        var spec = runc("spec", "--bundle", bundle.toString());
        assertEquals(0, spec.code(), spec.all());
        assertEquals(1, runc("spec", "--bundle", bundle.toString()).code(), "spec does not overwrite a config.json");
    }

    @AfterAll
    void removeWork() throws Exception {
        if (work != null) AtomicFiles.deleteTree(work);
    }

    /**
     * Runs a command with its output in files, not pipes: a container made by `create` keeps the
     * runtime's stdout and stderr as its own (as with runc), so a pipe would not reach EOF.
     */
    static Jbox.Result sh(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(Path.of("/var/tmp"), "jbox-sh-", ".out"), err = Files.createTempFile(Path.of("/var/tmp"), "jbox-sh-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(out) + Files.readString(err));
            }
            return new Jbox.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    Jbox.Result runc(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RUNC.toString(), "--root", stateRoot.toString()));
        cmd.addAll(List.of(args));
        return sh(60, cmd.toArray(String[]::new));
    }

    /** A copy of the bundle's config.json with the process's args set, and an edit applied. */
    Path bundleWith(String name, java.util.function.Consumer<ObjectNode> edit, String... args) throws IOException {
        Path b = work.resolve(name);
        Files.createDirectories(b);
        ObjectNode c = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(bundle.resolve("config.json")));
        c.put("root", Json.MAPPER.createObjectNode().put("path", bundle.resolve("rootfs").toString()).put("readonly", true));
        ObjectNode p = (ObjectNode) c.path("process");
        p.put("terminal", false);
        var a = p.putArray("args");
        for (String s : args) a.add(s);
        edit.accept(c);
        Files.write(b.resolve("config.json"), Json.MAPPER.writeValueAsBytes(c));
        return b;
    }

    /**
     * A root with a JVM in it (a jlink'ed java.base from the JDK running the tests, the host's libraries
     * it links against, and busybox), as a Java service's image has: the runtime is a JVM too, and
     * must not take the container's for its own.
     */
    private Path javaRootfs() throws Exception {
        Path root = work.resolve("java-rootfs");
        if (Files.isDirectory(root.resolve("opt/java"))) return root;
        assertEquals(0, sh(120, "cp", "-a", bundle.resolve("rootfs").toString(), root.toString()).code());
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        var link = sh(300, jlink.toString(), "--add-modules", "java.base", "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", root.resolve("opt/java").toString());
        assertEquals(0, link.code(), link.all());
        var libs = sh(120, "sh", "-c", "ldd " + root + "/opt/java/bin/java " + root + "/opt/java/lib/*.so " + root + "/opt/java/lib/server/libjvm.so"
                + " | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\\//) print $i }' | grep -v '^" + root + "' | sort -u | xargs -I{} cp -L --parents {} " + root);
        assertEquals(0, libs.code(), libs.all());
        return root;
    }

    /** Docker's format: everything allowed except mkdir, which fails with EPERM. */
    private Path noMkdirProfile() throws IOException {
        Path p = work.resolve("no-mkdir.json");
        Files.writeString(p, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
        return p;
    }

    private static final String NO_MKDIR = "mkdir /tmp/d 2>&1; echo mkdir=$?; touch /tmp/f && echo touch=ok";
    private static final String REFUSED_MKDIR = "mkdir: can't create directory '/tmp/d': Operation not permitted\nmkdir=1\ntouch=ok\n";

    private void assertNothingLeft(String id) throws IOException {
        try (Stream<Path> s = Files.list(Files.createDirectories(stateRoot))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(id)).toList(), "no state of " + id + " is left");
        }
        for (Path h : Files.list(Path.of("/sys/fs/cgroup")).toList()) {
            assertFalse(Files.exists(h.resolve("jbox-runc").resolve(id)), "no cgroup of " + id + " in " + h);
        }
    }

    private JsonNode state(String id) throws Exception {
        var r = runc("state", id);
        assertEquals(0, r.code(), r.all());
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void theLifecycleFollowsTheSpecification() throws Exception {
        Path b = bundleWith("life", c -> { }, "sleep", "60");
        Path pidFile = work.resolve("life.pid");
        var create = runc("create", "--bundle", b.toString(), "--pid-file", pidFile.toString(), "life");
        assertEquals(0, create.code(), create.all());
        int pid = Integer.parseInt(Files.readString(pidFile).trim());
        JsonNode s = state("life");
        assertEquals("created", s.path("status").asText());
        assertEquals(pid, s.path("pid").asInt());
        assertEquals(b.toString(), s.path("bundle").asText());
        assertEquals("1.0.2", s.path("ociVersion").asText());
        assertFalse(Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep"), "created: the program has not run yet");
        var dup = runc("create", "--bundle", b.toString(), "life");
        assertEquals(1, dup.code());
        assertTrue(dup.err().contains("container with id exists: life"), dup.err());

        assertEquals(0, runc("start", "life").code());
        assertEquals("running", state("life").path("status").asText());
        assertTrue(Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep"), "started: the program runs as the same pid");
        var again = runc("start", "life");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("cannot start a container that is running"), again.err());

        var exec = runc("exec", "life", "sh", "-c", "echo in $(hostname); exit 3");
        assertEquals(3, exec.code(), exec.all());
        assertEquals("in jbox\n", exec.out(), "the hostname jbox-runc spec writes");
        assertEquals("[" + pid + "]", runc("ps", "--format", "json", "life").out().trim());
        assertTrue(runc("list").out().matches("(?s)ID\\s+PID\\s+STATUS.*life\\s+" + pid + "\\s+running.*"), runc("list").out());
        assertEquals(0, runc("update", "--pids-limit", "7", "life").code());
        Path pidsMax = Path.of("/sys/fs/cgroup/pids/jbox-runc/life/pids.max");
        if (Files.exists(pidsMax)) assertEquals("7", Files.readString(pidsMax).trim(), "update wrote the v1 pids limit");

        assertEquals(0, runc("pause", "life").code());
        assertEquals("paused", state("life").path("status").asText());
        assertEquals(0, runc("resume", "life").code());
        assertEquals("running", state("life").path("status").asText());
        var busy = runc("delete", "life");
        assertEquals(1, busy.code());
        assertTrue(busy.err().contains("that is not stopped: running"), busy.err());

        assertEquals(0, runc("kill", "life", "KILL").code());
        Eventually.waitFor(() -> state("life").path("status").asText().equals("stopped"), "the container to stop");
        assertEquals(0, runc("delete", "life").code());
        var gone = runc("state", "life");
        assertEquals(1, gone.code());
        assertTrue(gone.err().contains("container \"life\" does not exist"), gone.err());
        assertNothingLeft("life");
    }

    /**
     * A caller's quick steps (state, start, kill, delete) are answered by the runtime service that a
     * step run in its own JVM started, each without a JVM of its own (no java among the programs the
     * step runs, under strace), with the same output, errors, exit codes and --log, relative paths and
     * hooks in the caller's directory; the service ends a few seconds after its last request and removes its
     * socket. A service of this test's own (JBOX_RUNTIME_SERVICE names it), so another jbox-runc's does not answer.
     */
    @Test
    void quickStepsAreAnsweredByTheRuntimeServiceWithoutAJvmEach() throws Exception {
        servedName = "test-" + java.util.UUID.randomUUID();
        Path hookDir = work.resolve("served.hook-dir");
        Path b = bundleWith("served", c -> c.putObject("hooks").putArray("poststop").addObject().put("path", "/bin/sh")
                .putArray("args").add("sh").add("-c").add("pwd > " + hookDir), "sleep", "60");
        // The first step, which starts the service, runs in a cgroup of this test's, as conmon's steps run in conmon's.
        Path pids = Path.of("/sys/fs/cgroup/pids");
        Path callerCgroup = (Files.isDirectory(pids) ? pids : Path.of("/sys/fs/cgroup")).resolve("jboxtest-caller-" + servedName);
        Files.createDirectory(callerCgroup);
        Jbox.Result create;
        try {
            create = servedIn(callerCgroup, false, "create", "--bundle", b.toString(), "served");
        } finally {
            Files.delete(callerCgroup); // the create's JVM has ended, and the service it started left this cgroup
        }
        assertEquals(0, create.code(), create.all());
        Eventually.waitFor(() -> served(true, "state", "served").code() == 0, "the service to answer state without a JVM");
        // the create's, or one that a step finding none listening yet started: a second one ends as soon as
        // its JVM is up and finds the first listening, which on a busy machine takes seconds
        Eventually.waitFor(() -> servicePids(servedName).size() == 1, "one runtime service of this test's, a second one ending");
        List<Integer> services = servicePids(servedName);
        assertEquals(1, services.size(), "one runtime service of this test's: " + services);
        int service = services.get(0);
        List<String> argv = List.of(Files.readString(Path.of("/proc/" + service + "/cmdline")).split("\0"));
        Path socket = Path.of(argv.get(argv.indexOf("--socket") + 1));
        // started by a caller's step, it serves every caller: no caller's cgroup holds it (it would keep it from being removed)
        for (String line : Files.readString(Path.of("/proc/" + service + "/cgroup")).split("\n")) {
            assertTrue(line.endsWith(":/"), "the service lives in the root cgroup of every hierarchy: " + line);
        }

        var state = served(true, "state", "served");
        assertEquals("created", Json.MAPPER.readTree(state.out()).path("status").asText(), state.all());
        assertEquals(0, served(true, "start", "served").code());
        assertEquals("running", Json.MAPPER.readTree(served(true, "state", "served").out()).path("status").asText());
        var busy = served(true, "delete", "served");
        assertEquals(1, busy.code());
        assertTrue(busy.err().contains("that is not stopped: running"), busy.err());
        assertEquals(0, served(true, "kill", "served", "KILL").code());
        Eventually.waitFor(() -> Json.MAPPER.readTree(served(true, "state", "served").out()).path("status").asText().equals("stopped"), "the container to stop");
        assertEquals(0, served(true, "delete", "served").code());
        assertEquals(work + "\n", Files.readString(hookDir), "a hook runs in the caller's directory, as in the caller's own JVM");
        var gone = served(true, "--log", "served.log", "state", "served");
        assertEquals(1, gone.code());
        assertEquals("container \"served\" does not exist\n", gone.err());
        assertTrue(Files.readString(work.resolve("served.log")).contains("level=error msg=\"container \\\"served\\\" does not exist\""),
                "--log is read from the caller's directory: " + Files.readString(work.resolve("served.log")));
        assertNothingLeft("served");

        // A create through the service: the front forks the container's process, so it is not the service's
        bundleWith("forked", c -> { }, "sh", "-c", "echo started as $$");
        Path out = work.resolve("forked.out");
        ProcessBuilder pb = new ProcessBuilder("strace", "-qq", "-e", "trace=execve", "-o", work.resolve("forked.trace").toString(),
                RUNC.toString(), "--root", "state", "create", "--bundle", "forked", "forked").directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(out.toFile())
                .redirectError(work.resolve("forked.err").toFile());
        pb.environment().put("JBOX_RUNTIME_SERVICE", servedName);
        Process create2 = pb.start();
        assertTrue(create2.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, create2.exitValue(), Files.readString(work.resolve("forked.err")));
        assertFalse(Files.readString(work.resolve("forked.trace")).contains("bin/java"), "the service answered create, no JVM ran");
        int pid = Json.MAPPER.readTree(served(true, "state", "forked").out()).path("pid").asInt();
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertFalse(status.contains("\nPPid:\t" + service + "\n"), "the container's process is not the service's child: " + status);
        assertTrue(status.matches("(?s).*\nNSpid:\t" + pid + "\t1\n.*"), "the first process of its own pid namespace: " + status);
        String cgroup = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
        assertTrue(cgroup.contains("/jbox-runc/forked\n"), "born in the caller's cgroup, moved into its own before it runs: " + cgroup);
        assertEquals(0, served(true, "start", "forked").code());
        Eventually.waitFor(() -> Json.MAPPER.readTree(served(true, "state", "forked").out()).path("status").asText().equals("stopped"), "the container to end");
        assertTrue(Files.readString(out).equals("started as 1\n"), "its output went to the caller's stdout: " + Files.readString(out));
        assertEquals(0, served(true, "delete", "forked").code());
        assertNothingLeft("forked");

        // A front killed between its fork and its reply (strace kills it at its second write, the reply): the service
        // kills the process the front made, which would otherwise wait at its gate for good, and undoes the create.
        // strace follows that process too, so it ends only once that process has.
        Path lostTrace = work.resolve("lost.trace");
        ProcessBuilder lostPb = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=write", "-e", "inject=write:signal=KILL:when=2", "-o", lostTrace.toString(),
                Jbox.HOME.resolve("target/jbox-runc-client").toString(), Jbox.HOME.resolve("jbox").toString(), "--root", "state", "create", "--bundle", "forked", "lost")
                .directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(work.resolve("lost.out").toFile());
        lostPb.environment().put("JBOX_RUNTIME_SERVICE", servedName);
        Process lost = lostPb.start();
        boolean ended = lost.waitFor(60, TimeUnit.SECONDS);
        if (!ended) lost.destroyForcibly();
        String trace = Files.readString(lostTrace);
        assertTrue(trace.matches("(?s).*write\\(\\d+, \"p\\\\0\\\\0\\\\0\\\\4.*"), "the front was killed at its reply: " + trace);
        assertTrue(ended, "the process the lost front forked did not end: " + trace);
        assertEquals(2, trace.lines().filter(l -> l.endsWith("+++ killed by SIGKILL +++")).count(), "the front and the process it forked were killed: " + trace);
        Eventually.waitFor(() -> served(true, "state", "lost").code() == 1, "the service to undo the create");
        assertNothingLeft("lost");

        Eventually.waitFor(() -> !Files.exists(Path.of("/proc/" + service)), "the service to end after its last request");
        assertFalse(Files.exists(socket), "the service removed its socket");
        assertFalse(Files.exists(Path.of(socket + ".log")), "a service that met no error leaves no log");
    }

    private String servedName;

    /** The runtime services started for JBOX_RUNTIME_SERVICE=name. */
    private static List<Integer> servicePids(String name) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).contains("\0_runtime-service\0")
                            && ("\0" + Files.readString(p.resolve("environ"))).contains("\0JBOX_RUNTIME_SERVICE=" + name + "\0")) {
                        pids.add(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }

    /**
     * jbox-runc with this test's service, in the test's directory with a relative --root; answered says the step
     * must be answered by the service: no java among the programs it execs (strace follows its one process, which
     * execs the front, and, without a service, the launcher and java), else the result is a failure, for awaiting.
     */
    private Jbox.Result served(boolean answered, String... args) throws Exception { return servedIn(null, answered, args); }

    /** The same, the step started in cgroup (null: this test's own). */
    private Jbox.Result servedIn(Path cgroup, boolean answered, String... args) throws Exception {
        Path trace = work.resolve("served.trace");
        List<String> cmd = new ArrayList<>();
        if (cgroup != null) cmd.addAll(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        cmd.addAll(List.of("strace", "-qq", "-e", "trace=execve", "-o", trace.toString(), RUNC.toString(), "--root", "state"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("JBOX_RUNTIME_SERVICE", servedName);
        Path out = work.resolve("served.out"), err = work.resolve("served.err");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jbox-runc " + String.join(" ", args) + " ended");
        var r = new Jbox.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        boolean jvm = Files.readString(trace).contains("bin/java");
        if (answered && jvm) return new Jbox.Result(-1, r.out(), r.err() + "\n(ran a JVM)");
        return r;
    }

    @Test
    void runWaitsAndPassesOnTheExitCode() throws Exception {
        Path b = bundleWith("once", c -> { }, "sh", "-c", "echo out; echo err >&2; grep -E 'CapEff|NoNewPrivs' /proc/self/status; exit 5");
        var r = runc("run", "--bundle", b.toString(), "once");
        assertEquals(5, r.code(), r.all());
        // runc spec's config: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE, and no_new_privs
        assertEquals("out\nCapEff:\t0000000020000420\nNoNewPrivs:\t1\n", r.out());
        assertEquals("err\n", r.err());
        assertNothingLeft("once");
    }

    @Test
    void hooksRunAtTheirPointsWithTheState() throws Exception {
        Path marks = Files.createDirectories(work.resolve("marks"));
        Path b = bundleWith("hooked", c -> {
            ObjectNode hooks = c.putObject("hooks");
            for (String kind : List.of("prestart", "createRuntime", "createContainer", "poststart", "poststop")) {
                hooks.putArray(kind).addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("cat > " + marks.resolve(kind));
            }
            hooks.putArray("startContainer").addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("echo inside > /dev/shm/mark");
        }, "cat", "/dev/shm/mark");
        var r = runc("run", "--bundle", b.toString(), "hooked");
        assertEquals(0, r.code(), r.all());
        assertEquals("inside\n", r.out(), "startContainer ran inside the container before its program");
        for (String kind : List.of("prestart", "createRuntime", "createContainer", "poststart", "poststop")) {
            JsonNode st = Json.MAPPER.readTree(Files.readAllBytes(marks.resolve(kind)));
            assertEquals("hooked", st.path("id").asText(), kind);
        }
        // the spec's lifecycle: the create hooks run once the environment exists ("created"), poststart after start
        for (String kind : List.of("prestart", "createRuntime", "createContainer")) {
            assertEquals("created", Json.MAPPER.readTree(Files.readAllBytes(marks.resolve(kind))).path("status").asText(), kind);
        }
        assertEquals("running", Json.MAPPER.readTree(Files.readAllBytes(marks.resolve("poststart"))).path("status").asText());
        assertEquals("stopped", Json.MAPPER.readTree(Files.readAllBytes(marks.resolve("poststop"))).path("status").asText());
        assertNothingLeft("hooked");
    }

    @Test
    void badBundlesAndRequestsFailAsRuncFailsAndLeaveNothing() throws Exception {
        Path broken = Files.createDirectories(work.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{ not json");
        var r = runc("create", "--bundle", broken.toString(), "b1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not valid JSON"), r.err());

        Path noRoot = bundleWith("noroot", c -> ((ObjectNode) c.path("root")).put("path", "/no/such/rootfs"), "true");
        r = runc("create", "--bundle", noRoot.toString(), "b2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("root.path: the root filesystem /no/such/rootfs does not exist"), r.err());

        Path badNs = bundleWith("badns", c -> ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("linux").path("namespaces"))
                .addObject().put("type", "ipc").put("path", "/proc/self/ns/nothing"), "true");
        r = runc("create", "--bundle", badNs.toString(), "b3");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("the ipc namespace path /proc/self/ns/nothing does not exist"), r.err());

        Path userNs = bundleWith("userns", c -> ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("linux").path("namespaces"))
                .addObject().put("type", "user"), "true");
        r = runc("create", "--bundle", userNs.toString(), "b4");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("a new user namespace needs both uidMappings and gidMappings"), r.err());

        // a path of another kind: refused at create, not left to the container's process to fail on after its spawn
        Path wrongKind = bundleWith("wrongkind", c -> ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("linux").path("namespaces"))
                .addObject().put("type", "user").put("path", "/proc/self/ns/uts"), "true");
        for (int i = 0; i < 3; i++) {
            r = runc("create", "--bundle", wrongKind.toString(), "b6");
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("/proc/self/ns/uts is not a user namespace"), r.err());
        }

        Path noProgram = bundleWith("noprogram", c -> { }, "/no/such/program");
        r = runc("create", "--bundle", noProgram.toString(), "b5");
        assertEquals(1, r.code());
        assertEquals("exec: \"/no/such/program\": no such file or directory in the image\n", r.err(), "as runc says it, without Java's class names");

        r = runc("kill", "nosuch");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("container \"nosuch\" does not exist"), r.err());
        r = sh(60, RUNC.toString(), "--root", stateRoot.toString(), "--systemd-cgroup", "state", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--systemd-cgroup is not supported") && r.err().contains("cgroupfs"), r.err());
        Path log = work.resolve("log.json");
        r = sh(60, RUNC.toString(), "--root", stateRoot.toString(), "--log", log.toString(), "--log-format", "json", "delete", "nosuch");
        assertEquals(1, r.code());
        JsonNode line = Json.MAPPER.readTree(Files.readAllLines(log).get(0));
        assertEquals("error", line.path("level").asText());
        assertTrue(line.path("msg").asText().contains("does not exist"), line.toString());
        for (String id : List.of("b1", "b2", "b3", "b4", "b5", "b6")) assertNothingLeft(id);
    }

    @Test
    void featuresDescribeWhatIsSupported() throws Exception {
        JsonNode f = Json.MAPPER.readTree(runc("features").out());
        assertTrue(f.path("linux").path("namespaces").toString().contains("network") && f.path("linux").path("namespaces").toString().contains("user"));
        assertFalse(f.path("linux").path("cgroup").path("systemd").asBoolean(true));
        assertTrue(f.path("linux").path("seccomp").path("enabled").asBoolean());
        assertEquals("jbox-runc version " + Version.NUMBER + "\nspec: 1.0.2\n", runc("--version").out(), "as runc --version prints it");
    }

    // ---- the real callers ----

    private Path savedImage() throws Exception {
        Path tar = work.resolve("busybox.tar");
        if (!Files.exists(tar)) assertEquals(0, jbox.run("save", "-o", tar.toString(), "busybox").code());
        return tar;
    }

    /**
     * A command on a terminal of its own (script(1)), as a user at a prompt runs it. script's stdin
     * stays open until the command ends: at its end script would send the terminal an end of input,
     * and podman run -it, seeing it before the container starts, can end without output.
     */
    private static Jbox.Result onTerminal(String command) throws Exception {
        Path out = Files.createTempFile(Path.of("/var/tmp"), "jbox-tty-", ".out");
        try {
            Process p = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish in 90 s: " + Files.readString(out));
                }
            } finally {
                p.getOutputStream().close();
            }
            return new Jbox.Result(p.exitValue(), Files.readString(out), "");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** linux.namespaces with a user namespace: root inside is 100000 outside, through jbox-ns, with the profile's filter. */
    @Test
    void aUserNamespaceMapsRootInsideToAnOrdinaryUserOutside() throws Exception {
        java.util.function.Consumer<ObjectNode> userns = c -> {
            ObjectNode l = (ObjectNode) c.path("linux");
            ((ArrayNode) l.path("namespaces")).addObject().put("type", "user");
            l.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
            l.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
            l.set("seccomp", Json.MAPPER.createObjectNode().put("defaultAction", "SCMP_ACT_ALLOW").set("syscalls",
                    Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode().put("action", "SCMP_ACT_ERRNO")
                            .set("names", Json.MAPPER.createArrayNode().add("mkdir").add("mkdirat")))));
        };
        Path b = bundleWith("userns-run", userns, "sh", "-c", "id -u; cat /proc/self/uid_map; grep -E '^(Uid|Seccomp):' /proc/self/status; "
                + "mkdir /tmp/d 2>/dev/null; echo mkdir=$?; stat -c %u /bin/busybox");
        var r = runc("run", "--bundle", b.toString(), "userns-run");
        assertEquals(0, r.code(), r.all());
        assertEquals("0\n         0     100000      65536\nUid:\t0\t0\t0\t0\nSeccomp:\t2\nmkdir=1\n65534\n", r.out(),
                "root inside, mapped to 100000; the profile's filter; the host's root-owned files belong to nobody inside");
        assertNothingLeft("userns-run");

        Path d = bundleWith("userns-d", userns, "sleep", "60");
        assertEquals(0, runc("create", "--bundle", d.toString(), "ud").code());
        int pid = state("ud").path("pid").asInt();
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")), Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/user")),
                "created: already in its user namespace");
        assertEquals(0, runc("start", "ud").code());
        Eventually.waitFor(() -> Files.readString(Path.of("/proc/" + pid + "/status")).contains("\nUid:\t100000\t100000\t100000\t100000\n"),
                "the host to see the container's root as uid 100000");
        // an exec joins the user namespace too: root inside, 100000 outside, the container's filter, never the host's root
        var exec = runc("exec", "ud", "sh", "-c", "id -u; cat /proc/self/uid_map; grep -E '^Seccomp:' /proc/self/status; mkdir /tmp/e 2>/dev/null; echo mkdir=$?; "
                + "readlink /proc/self/ns/user");
        assertEquals(0, exec.code(), exec.all());
        assertEquals("0\n         0     100000      65536\nSeccomp:\t2\nmkdir=1\n" + Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/user")) + "\n",
                exec.out(), "the exec is in the container's user namespace with its filter");
        var asUser = runc("exec", "--user", "1000:1000", "ud", "sh", "-c", "id -u; grep -E '^Uid:' /proc/self/status");
        assertEquals("1000\nUid:\t1000\t1000\t1000\t1000\n", asUser.out(), asUser.all());
        assertEquals(0, runc("kill", "ud", "KILL").code());
        Eventually.waitFor(() -> state("ud").path("status").asText().equals("stopped"), "the container to stop");
        assertEquals(0, runc("delete", "ud").code());
        assertNothingLeft("ud");
    }

    @Test
    void podmanRunsContainersThroughJbox() throws Exception {
        Requires.that(Files.isExecutable(Podman.BINARY), "podman is installed by ./run-tests");
        try (Podman podman = new Podman()) {
            assertEquals(0, podman.run("load", "-i", savedImage().toString()).code());
            var hi = podman.run("--runtime", RUNC.toString(), "run", "--rm", "busybox", "echo", "hi");
            assertEquals(0, hi.code(), hi.out());
            assertEquals("hi\n", hi.out());
            var d = podman.run("--runtime", RUNC.toString(), "run", "-d", "--name", "pd", "busybox", "sleep", "60");
            assertEquals(0, d.code(), d.out());
            var exec = podman.run("--runtime", RUNC.toString(), "exec", "pd", "sh", "-c", "echo exec-ok; grep Seccomp: /proc/self/status");
            assertEquals("exec-ok\nSeccomp:\t2\n", exec.out(), "exec'd processes get the container's seccomp filter");
            assertEquals(0, podman.run("--runtime", RUNC.toString(), "stop", "-t", "1", "pd").code());
            assertEquals(0, podman.run("--runtime", RUNC.toString(), "rm", "pd").code());
            var tty = onTerminal("CONTAINERS_CONF=" + podman.conf() + " " + Podman.BINARY + " " + String.join(" ", podman.globalArgs()) + " --runtime " + RUNC
                    + " run -it --rm busybox sh -c 'tty; echo done'");
            assertTrue(tty.out().contains("/dev/pts/0") && tty.out().contains("done"), tty.all());

            var seccomp = podman.run("--runtime", RUNC.toString(), "run", "--rm", "--security-opt", "seccomp=" + noMkdirProfile(), "busybox", "sh", "-c", NO_MKDIR);
            assertEquals(REFUSED_MKDIR, seccomp.out(), "podman's custom seccomp profile: " + seccomp.out());
            var tuned = podman.run("--runtime", RUNC.toString(), "run", "--rm", "--cpu-period", "50000", "--cpu-quota", "25000", "--memory", "64m",
                    "--memory-reservation", "20m", "--cpuset-mems", "0", "busybox", "sh", "-c",
                    "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us; "
                            + "cat /sys/fs/cgroup/memory.low 2>/dev/null || cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes");
            assertTrue(tuned.out().equals("25000 50000\n20971520\n") || tuned.out().equals("25000\n50000\n20971520\n"), "podman's --cpu-period/--cpu-quota and --memory-reservation: " + tuned.out());

            // A JVM in the container, started and exec'd into through jbox-runc, whose own JVM is told by its caller's
            // environment what a Java user's shell often says: the container's JVM takes the container's settings only.
            var jvm = podman.runWith(java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xmx1m"), "--runtime", RUNC.toString(), "run", "--rm",
                    "-e", "JAVA_TOOL_OPTIONS=-Dcontainer=yes", "--rootfs", javaRootfs().toString(), "/opt/java/bin/java", "-XshowSettings:properties", "-version");
            assertEquals(0, jvm.code(), jvm.out());
            assertTrue(jvm.out().contains("Picked up JAVA_TOOL_OPTIONS: -Dcontainer=yes") && jvm.out().contains("java.vm.name = OpenJDK")
                    && !jvm.out().contains("-Xmx1m"), jvm.out());
            var jd = podman.run("--runtime", RUNC.toString(), "run", "-d", "--name", "pj", "--rootfs", javaRootfs().toString(), "sleep", "60");
            assertEquals(0, jd.code(), jd.out());
            var jexec = podman.run("--runtime", RUNC.toString(), "exec", "pj", "/opt/java/bin/java", "-version");
            assertTrue(jexec.code() == 0 && jexec.out().contains("version \"" + Runtime.version().feature()), jexec.out());
            assertEquals(0, podman.run("--runtime", RUNC.toString(), "rm", "-f", "-t", "1", "pj").code());
        }
    }

    @Test
    void dockerdAndContainerdRunContainersThroughJbox() throws Exception {
        Requires.that(Files.isExecutable(Path.of("/usr/sbin/dockerd")) && Files.isExecutable(Path.of("/usr/bin/ctr")), "dockerd and ctr are installed by ./run-tests");
        try (Dockerd dockerd = new Dockerd(RUNC)) {
            assertEquals(0, dockerd.docker("load", "-i", savedImage().toString()).code());
            var hi = dockerd.docker("run", "--runtime", "jbox", "--rm", "busybox", "sh", "-c", "echo hi; grep -c . /proc/self/status >/dev/null");
            assertEquals(0, hi.code(), hi.all());
            assertEquals("hi\n", hi.out());
            var tty = onTerminal("docker -H unix://" + dockerd.socket + " run --runtime jbox -it --rm busybox sh -c 'tty; echo done'");
            assertTrue(tty.out().contains("/dev/pts/0") && tty.out().contains("done"), tty.all());
            var d = dockerd.docker("run", "--runtime", "jbox", "-d", "--name", "dd", "busybox", "sleep", "60");
            assertEquals(0, d.code(), d.all());
            assertEquals("exec-ok\n", dockerd.docker("exec", "dd", "echo", "exec-ok").out());
            assertEquals(0, dockerd.docker("rm", "-f", "dd").code());
            var seccomp = dockerd.docker("run", "--runtime", "jbox", "--rm", "--security-opt", "seccomp=" + noMkdirProfile(), "busybox", "sh", "-c", NO_MKDIR);
            assertEquals(REFUSED_MKDIR, seccomp.out(), "dockerd's custom seccomp profile: " + seccomp.all());
            var imported = sh(300, "sh", "-c", "tar -C " + javaRootfs() + " -c . | docker -H unix://" + dockerd.socket + " import - jbox-java:test");
            assertEquals(0, imported.code(), imported.all());
            var jvm = dockerd.docker("run", "--runtime", "jbox", "--rm", "jbox-java:test", "/opt/java/bin/java", "-version");
            assertTrue(jvm.code() == 0 && jvm.err().contains("version \"" + Runtime.version().feature()), jvm.all());

            // containerd's runc shim (the path Kubernetes' CRI takes) with jbox as the runc binary.
            assertEquals(0, dockerd.ctr("images", "import", savedImage().toString()).code());
            var ctr = dockerd.ctr("run", "--rm", "--runc-binary", RUNC.toString(), "docker.io/library/busybox:latest", "c1", "sh", "-c", "echo from-ctr");
            assertEquals(0, ctr.code(), ctr.all());
            assertEquals("from-ctr\n", ctr.out());
            var ctrSeccomp = dockerd.ctr("run", "--rm", "--runc-binary", RUNC.toString(), "--seccomp", "--seccomp-profile", noMkdirProfile().toString(),
                    "docker.io/library/busybox:latest", "c2", "sh", "-c", NO_MKDIR);
            assertEquals(REFUSED_MKDIR, ctrSeccomp.out(), "containerd's custom seccomp profile: " + ctrSeccomp.all());
            var ctrJvm = dockerd.ctr("run", "--rm", "--runc-binary", RUNC.toString(), "--rootfs", javaRootfs().toString(), "c3", "/opt/java/bin/java", "-version");
            assertTrue(ctrJvm.code() == 0 && ctrJvm.all().contains("version \"" + Runtime.version().feature()), ctrJvm.all());
        }
    }
}
