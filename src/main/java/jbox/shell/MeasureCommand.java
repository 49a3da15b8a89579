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
            rss = rssKb(owned.process().pid);
            e.tasks().kill(idle.id(), Linux.SIGKILL);
            e.lifecycle().waitFor(owned);
        } finally {
            Sys.close(devNull);
        }
        long hostKb = jbox.sys.ProcFiles.memTotalBytes() / 1024;
        s.out.println("What                     Virtual machines (cited)   Containers (measured here, now)");
        s.out.printf(Locale.ROOT, "start time               minutes                    %.0f ms (create, start, wait and remove inside a running jbox, best of %d)%n", best / 1e6, runs);
        s.out.printf(Locale.ROOT, "image size               GB to TB                   %s (busybox, unpacked)%n", Units.binary(image.size()));
        s.out.printf(Locale.ROOT, "disk per container       a disk image each          %s (its own directory; the image is shared)%n", Units.binary(disk));
        s.out.printf(Locale.ROOT, "memory per container     a whole guest OS           %d KiB (an idle sleep container, all of it the process)%n", rss);
        s.out.printf(Locale.ROOT, "how many fit             hundreds                   about %d by memory alone (%s of RAM)%n",
                rss > 0 ? hostKb / rss : 0, Units.binary(hostKb * 1024));
        boolean qemu = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "qemu-system-" + (jbox.image.ImageBuilder.architecture().equals("arm64") ? "aarch64" : "x86_64"))));
        s.out.println(Say.t(qemu ? "measure.note.qemu" : "measure.note"));
    }

    private static CreateRequest request(List<String> command, boolean autoRemove) {
        return new CreateRequest("busybox", null, command, null, List.of(), null, null, null, false, false, autoRemove, null, null, null, null, null, null, null);
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
