package jbox.it;

import jbox.sys.Sys;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The OCI runtime conformance suite (opencontainers/runtime-tools, ../shared/conformance) against
 * jbox-runc, runc and crun in one run on this machine. The README lists every test file jbox-runc
 * fails with the reason; this test holds the README to that list in both directions (a new failure
 * fails it, and so does a listed file that now passes), requires jbox-runc to pass at least as many
 * files as runc and crun here, and writes the three counts to target/oci-conformance.md for the README's table.
 */
@Tag("root")
@Tag("exclusive") // the suite's containers use fixed cgroup paths (/cgrouptest) and wait up to 10 s for states
class OciConformanceTest {
    private static final List<Path> SUITE_PLACES = List.of(
            Jbox.HOME.resolve("../shared/conformance/runtime-tools.sh"), Path.of("/work/shared/conformance/runtime-tools.sh"));
    private static final Pattern COUNTS = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$");
    private static final Pattern FAILED = Pattern.compile("(?m)^FAIL ([a-z_0-9]+):");
    private static final Pattern README_ROW = Pattern.compile("(?m)^\\| `([a-z_0-9]+)` \\| (.+) \\|$");

    record Result(int passed, int failed, TreeSet<String> failing, String output) {}

    @Test
    void jboxRuncPassesWhatTheReadmeSaysAndNoFewerThanRuncOrCrun() throws Exception {
        Requires.that(Sys.isRoot(), "the conformance suite creates containers; run the tests with sudo ./run-tests");
        String configured = System.getenv("JBOX_CONFORMANCE");
        Path suite = configured != null ? Path.of(configured) : SUITE_PLACES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Requires.that(suite != null && Files.isExecutable(suite), "the OCI conformance suite (runtime-tools.sh): looked in " + SUITE_PLACES
                + "; set JBOX_CONFORMANCE to its path");
        Requires.that(onPath("runc"), "runc (./run-tests installs it)");
        Requires.that(onPath("crun"), "crun (./run-tests installs it)");
        Path out = Files.createTempDirectory(Jbox.HOME.resolve("target"), "conformance-");
        List<Path> suiteGroups = suiteCgroups().stream().filter(d -> !Files.exists(d)).toList();
        try (MachineLock ignored = MachineLock.take(getClass())) {
            Result jbox = run(suite, List.of(Jbox.HOME.resolve("jbox-runc").toString()), out.resolve("jbox-runc"));
            Result runc = run(suite, List.of("runc"), out.resolve("runc"));
            // crun refuses a hybrid host's cgroup2 mount beside v1: give it a mount namespace without it, never the host's.
            Result crun = Files.isDirectory(Path.of("/sys/fs/cgroup/unified")) && isMountPoint("/sys/fs/cgroup/unified")
                    ? run(suite, List.of("unshare", "-m", "--propagation", "private", "sh", "-c", "umount /sys/fs/cgroup/unified && exec \"$0\" \"$@\""),
                    out.resolve("crun"), "crun")
                    : run(suite, List.of("crun"), out.resolve("crun"));
            String table = "| runtime | test files passing whole (of " + (jbox.passed + jbox.failed) + ") |\n|---|---|\n"
                    + "| jbox-runc | " + jbox.passed + " |\n| runc " + version("runc") + " | " + runc.passed + " |\n| crun " + version("crun") + " | " + crun.passed + " |\n";
            Files.writeString(Jbox.HOME.resolve("target/oci-conformance.md"), table);
            System.out.println("OCI runtime conformance, this run:\n" + table + "jbox-runc fails: " + jbox.failing + "\nrunc fails: " + runc.failing
                    + "\ncrun fails: " + crun.failing);

            Map<String, String> listed = readmeList();
            TreeSet<String> unlisted = new TreeSet<>(jbox.failing);
            unlisted.removeAll(listed.keySet());
            TreeSet<String> nowPassing = new TreeSet<>(listed.keySet());
            nowPassing.removeAll(jbox.failing);
            assertTrue(unlisted.isEmpty(), "jbox-runc fails test files the README does not list (a regression, or a reason to write down): "
                    + unlisted + "\n" + jbox.output);
            assertTrue(nowPassing.isEmpty(), "the README lists as failing test files that jbox-runc now passes: remove them from its list: " + nowPassing);
            assertTrue(jbox.passed >= runc.passed && jbox.passed >= crun.passed, "jbox-runc passes " + jbox.passed + " test files, runc " + runc.passed
                    + " and crun " + crun.passed + " in the same run\n" + jbox.output);
        } finally {
            // runc's run of linux_ns_itype (no mount namespace) mounts /proc, /dev and /sys in the host's, under the bundle, and leaves them
            unmountUnder(out);
            jbox.io.AtomicFiles.deleteTree(out);
            // and runc leaves the parent of the suite's relative cgroup path
            for (int i = suiteGroups.size() - 1; i >= 0; i--) {
                try {
                    Files.deleteIfExists(suiteGroups.get(i));
                } catch (IOException e) {
                    System.out.println("cannot remove the suite's " + suiteGroups.get(i) + ": " + e);
                }
            }
        }
    }

    /** The cgroups the suite names (cgroupsPath /cgrouptest and testdir/cgrouptest) in every hierarchy, parents first. */
    private static List<Path> suiteCgroups() throws IOException {
        List<Path> out = new ArrayList<>();
        try (var trees = Files.list(Path.of("/sys/fs/cgroup"))) {
            List<Path> roots = new ArrayList<>(trees.filter(Files::isDirectory).toList());
            if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) roots = List.of(Path.of("/sys/fs/cgroup"));
            for (Path h : roots) {
                out.add(h.resolve("cgrouptest"));
                out.add(h.resolve("testdir"));
                out.add(h.resolve("testdir/cgrouptest"));
            }
        }
        return out;
    }

    private static void unmountUnder(Path dir) throws Exception {
        List<String> points = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(p -> p.startsWith(dir + "/")).sorted(java.util.Comparator.reverseOrder()).toList();
        for (String p : points) {
            var r = Jbox.exec(30, "umount", "-l", p);
            assertEquals(0, r.code(), "unmounting what the suite left at " + p + ": " + r.all());
        }
    }

    private static Result run(Path suite, List<String> runtime, Path out) throws Exception {
        return run(suite, runtime, out, null);
    }

    /** The suite against runtime; wrapper, when given, is a command that runs the suite's command line after it (crun's namespace). */
    private static Result run(Path suite, List<String> wrapper, Path out, String runtime) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (runtime == null) {
            cmd.add(suite.toString());
            cmd.addAll(wrapper);
        } else {
            cmd.addAll(wrapper);
            cmd.add(suite.toString());
            cmd.add(runtime);
        }
        cmd.add(out.toString());
        Path log = Files.createTempFile(Jbox.HOME.resolve("target"), "conformance-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail(cmd + " did not end within 30 minutes:\n" + Files.readString(log));
            }
            String text = Files.readString(log);
            Matcher counts = COUNTS.matcher(text);
            assertTrue(counts.find(), "the suite printed no count for " + cmd + ":\n" + text);
            TreeSet<String> failing = new TreeSet<>();
            Matcher f = FAILED.matcher(text);
            while (f.find()) failing.add(f.group(1));
            int passed = Integer.parseInt(counts.group(1)), failed = Integer.parseInt(counts.group(2));
            assertEquals(failed, failing.size(), "every failed test file is named:\n" + text);
            assertTrue(passed + failed >= 58, "the whole suite ran:\n" + text);
            return new Result(passed, failed, failing, text);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The README's list of test files jbox-runc fails, each with its reason. */
    static Map<String, String> readmeList() throws IOException {
        String readme = Files.readString(Jbox.HOME.resolve("README.md"));
        int start = readme.indexOf("<!-- oci-failures -->"), end = readme.indexOf("<!-- /oci-failures -->");
        assertTrue(start >= 0 && end > start, "the README marks its list of failing conformance test files with <!-- oci-failures --> ... <!-- /oci-failures -->");
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = README_ROW.matcher(readme.substring(start, end));
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    private static boolean isMountPoint(String path) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.split(" ")[4].equals(path));
    }

    private static String version(String runtime) throws Exception {
        var r = Jbox.exec(10, runtime, "--version");
        Matcher m = Pattern.compile("version (\\S+)").matcher(r.out());
        return m.find() ? m.group(1).replaceAll("\\+.*", "") : "";
    }
}
