package jbox.shell;

import jbox.engine.Lifecycle;

import jbox.text.Say;

import jbox.cgroup.Units;
import jbox.engine.CreateRequest;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.engine.Engine;
import jbox.image.Image;
import jbox.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Measures, on this machine and now, what the course's comparison table claims for containers:
 * start time, image size, disk and memory per container, and how many would fit.
 */
@Command(name = "measure", description = "Measure containers on this machine: start time, image size, disk and memory per container",
        footer = "Example: measure")
final class MeasureCommand implements Runnable {
    private final Session s;
    @Option(names = "--runs", defaultValue = "5", description = "Container starts to time") int runs;

    MeasureCommand(Session s) { this.s = s; }

    @Override
    public void run() {
        Engine e = s.engine;
        Image image = e.imageService().imageFor("busybox", s.out::println);
        // The engine's own calls, in this process: what jbox run does, without the command line around it.
        int devNull = Sys.open("/dev/null", Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        LaunchSpec.Stdio quiet = new LaunchSpec.Stdio(devNull, devNull, devNull);
        long best = Long.MAX_VALUE;
        long disk;
        long rss;
        try {
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                e.lifecycle().waitFor(e.lifecycle().start(e.lifecycle().create(request(List.of("true"), true), line -> { }).id(), quiet));
                best = Math.min(best, System.nanoTime() - t0);
            }
            ContainerState idle = e.lifecycle().create(request(List.of("sleep", "1000"), true), line -> { });
            Lifecycle.Owned owned = e.lifecycle().start(idle.id(), quiet);
            disk = du(e.containers().dirOf(idle.id()));
            rss = rssKb(owned.pid());
            idlePid = owned.pid();
            ownNamespaces = namespacesOfItsOwn(idlePid);
            cgroup = cgroupOf(idlePid, idle.id());
            e.tasks().kill(idle.id(), Linux.SIGKILL);
            e.lifecycle().waitFor(owned);

            // the same CPU-bound loop on the host and in a container, each timing itself from inside
            long onHost = Long.MAX_VALUE, inContainer = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                onHost = Math.min(onHost, loopOnHost());
                inContainer = Math.min(inContainer, loopInContainer(e, devNull));
            }
            overhead = (inContainer - onHost) * 100.0 / onHost;

            long t0 = System.nanoTime();
            List<Lifecycle.Owned> many = new java.util.ArrayList<>();
            for (int i = 0; i < SCALE; i++) many.add(e.lifecycle().start(e.lifecycle().create(request(List.of("true"), true), line -> { }).id(), quiet));
            for (Lifecycle.Owned o : many) e.lifecycle().waitFor(o);
            scaleNanos = System.nanoTime() - t0;
        } finally {
            Sys.close(devNull);
        }
        long hostKb = jbox.sys.ProcFiles.memTotalBytes() / 1024;
        String overheadText = overhead < 1 ? Say.t("measure.overhead.noise", String.format(Locale.ROOT, "%+.1f", overhead))
                : String.format(Locale.ROOT, "%.1f%%", overhead);
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[]{Say.t("measure.h.what"), Say.t("measure.h.vm"), Say.t("measure.h.container")});
        row(rows, "isolation", idlePid);
        row(rows, "mechanism", String.join(" ", ownNamespaces), cgroup);
        row(rows, "overhead", overheadText);
        row(rows, "start", String.format(Locale.ROOT, "%.0f", best / 1e6), runs);
        row(rows, "image", Units.binary(image.size()));
        row(rows, "disk", Units.binary(disk));
        row(rows, "memory", rss);
        row(rows, "fit", rss > 0 ? hostKb / rss : 0, Units.binary(hostKb * 1024));
        row(rows, "availability", SCALE, String.format(Locale.ROOT, "%.0f", scaleNanos / 1e6));
        s.out.print(jbox.text.Format.table(rows));
        boolean qemu = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "qemu-system-" + (jbox.image.ImageBuilder.architecture().equals("arm64") ? "aarch64" : "x86_64"))));
        s.out.println(Say.t(qemu ? "measure.note.qemu" : "measure.note"));
    }

    private static final int SCALE = 10;

    /** One row of the table: its name and the VM column from the messages, the container column filled in. */
    private static void row(List<String[]> rows, String key, Object... values) {
        rows.add(new String[]{Say.t("measure." + key + ".what"), Say.t("measure." + key + ".vm"), Say.t("measure." + key + ".container", values)});
    }
    /**
     * About half a second of one CPU in sh, between two lines that the reader times; timed from here the
     * same way for both, so a container's start does not blur the overhead (busybox's date has no %N).
     */
    private static final String LOOP = "echo go; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo done";
    private int idlePid;
    private List<String> ownNamespaces = List.of();
    private String cgroup = "";
    private double overhead;
    private long scaleNanos;

    /** The host's static busybox, the same program the container runs. */
    private static long loopOnHost() {
        int[] pipe = Sys.pipe();
        try (jbox.sys.Spawn sp = new jbox.sys.Spawn("/bin/busybox", List.of("sh", "-c", LOOP), List.of("PATH=/bin"))) {
            sp.dup2(pipe[1], 1).closeFrom(3);
            int pid = sp.spawn();
            Sys.close(pipe[1]);
            pipe[1] = -1;
            long nanos = readNumber(pipe[0]);
            Sys.waitpid(pid);
            return nanos;
        } finally {
            if (pipe[1] >= 0) Sys.close(pipe[1]);
            Sys.close(pipe[0]);
        }
    }

    private static long loopInContainer(Engine e, int devNull) {
        int[] pipe = Sys.pipe();
        try {
            Lifecycle.Owned o = e.lifecycle().start(e.lifecycle().create(request(List.of("sh", "-c", LOOP), true), line -> { }).id(),
                    new LaunchSpec.Stdio(devNull, pipe[1], devNull));
            Sys.close(pipe[1]);
            pipe[1] = -1;
            long nanos = readNumber(pipe[0]);
            e.lifecycle().waitFor(o);
            return nanos;
        } finally {
            if (pipe[1] >= 0) Sys.close(pipe[1]);
            Sys.close(pipe[0]);
        }
    }

    /** Nanoseconds from the loop's "go" to its end of output. */
    private static long readNumber(int fd) {
        byte[] buf = new byte[64];
        long go = 0;
        StringBuilder out = new StringBuilder();
        for (int n; (n = Sys.read(fd, buf)) > 0; ) {
            out.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
            if (go == 0 && out.indexOf("go\n") >= 0) go = System.nanoTime();
        }
        long end = System.nanoTime();
        if (go == 0 || out.indexOf("done") < 0) throw new IllegalStateException("the timing loop did not run: " + out);
        return end - go;
    }

    private static List<String> namespacesOfItsOwn(int pid) {
        List<String> own = new java.util.ArrayList<>();
        for (String kind : List.of("uts", "ipc", "net", "mnt", "pid", "cgroup", "user", "time")) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + kind)).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + kind)))) own.add(kind);
            } catch (IOException gone) {
                // the kernel has no such kind
            }
        }
        return own;
    }

    /** The container's own cgroup as the host names it (the line of /proc/PID/cgroup that names the container). */
    private static String cgroupOf(int pid, String id) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().filter(l -> l.contains(id)).findFirst()
                    .map(l -> l.substring(l.lastIndexOf(':') + 1)).map(p -> p.replace(id, id.substring(0, 12))).orElse("none");
        } catch (IOException gone) {
            return "?";
        }
    }

    private static CreateRequest request(List<String> command, boolean autoRemove) {
        return new CreateRequest("busybox", null, command, null, List.of(), null, null, null, false, false, autoRemove, null, null, null, null, null, null, null, null, null, false);
    }

    private static long du(Path dir) {
        try (Stream<Path> st = Files.walk(dir)) {
            return st.mapToLong(p -> p.toFile().isFile() ? p.toFile().length() : 4096).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long rssKb(int pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D+", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // gone already
        }
        return 0;
    }

}
