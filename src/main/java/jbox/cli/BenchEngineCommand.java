package jbox.cli;

import jbox.engine.CreateRequest;
import jbox.engine.Engine;
import jbox.io.Json;
import jbox.linux.ThrowawayThread;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, for bench/: times the engine's own create + start + wait of `true` in busybox inside this
 * (warm) JVM, and two floors under it from the same JVM: a bare posix_spawn + waitpid of /bin/true, and
 * the same spawn from a new thread in fresh namespaces (the kernel's part of any container start: the
 * namespaces jbox makes with --network none, made and torn down). Prints one JSON object with min and
 * median milliseconds of each.
 */
@Command(name = "_bench-engine", hidden = true)
final class BenchEngineCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--runs", defaultValue = "200") int runs;
    @Option(names = "--warmup", defaultValue = "30") int warmup;

    @Override
    public void run() {
        Engine e = Engine.open();
        e.imageService().imageFor("busybox", line -> { });
        int devNull = Sys.open("/dev/null", Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        LaunchSpec.Stdio quiet = new LaunchSpec.Stdio(devNull, devNull, devNull);
        CreateRequest req = new CreateRequest("busybox", null, List.of("true"), null, List.of(), null, null, null, false, false, true, null, null, null, null,
                new jbox.net.Networking(jbox.net.Network.NONE, List.of(), null, List.of()), null, null, null, null, false); // as the peers run: no network
        double[] engine, floor, namespaced;
        try {
            engine = timed(() -> e.lifecycle().waitFor(e.lifecycle().start(e.lifecycle().create(req, line -> { }).id(), quiet)));
            floor = timed(() -> spawnTrue(devNull));
            namespaced = timed(() -> ThrowawayThread.call("jbox-bench-namespaces", () -> {
                Sys.unshare(Linux.CLONE_FS); // a thread shares its root and cwd with the JVM until it unshares them
                Sys.unshare(Linux.CLONE_NEWNS | Linux.CLONE_NEWUTS | Linux.CLONE_NEWIPC | Linux.CLONE_NEWNET | Linux.CLONE_NEWCGROUP | Linux.CLONE_NEWPID);
                spawnTrue(devNull);
                return null;
            }));
        } finally {
            Sys.close(devNull);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine_create_start_wait", stats(engine));
        out.put("posix_spawn_wait", stats(floor));
        out.put("namespaced_spawn_wait", stats(namespaced));
        spec.commandLine().getOut().println(new String(Json.bytes(out), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Milliseconds of each of the runs of once, after the warm-up. */
    private double[] timed(Runnable once) {
        double[] ms = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            long t0 = System.nanoTime();
            once.run();
            if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    /** posix_spawn + waitpid of /bin/true, its stdio on quiet. */
    private static void spawnTrue(int quiet) {
        try (Spawn sp = new Spawn("/bin/true", List.of("true"), List.of())) {
            sp.dup2(quiet, 0).dup2(quiet, 1).dup2(quiet, 2);
            Sys.waitpid(sp.spawn());
        }
    }

    private static Map<String, Double> stats(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return Map.of("min_ms", s[0], "median_ms", s[s.length / 2]);
    }
}
