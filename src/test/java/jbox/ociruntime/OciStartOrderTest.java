package jbox.ociruntime;

import jbox.runtime.ContainerStart;
import jbox.runtime.LaunchSpec;
import jbox.runtime.StartStep;
import jbox.sys.RecordingKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** jbox-runc takes the start steps jbox run takes, in the same order, with config.json's plan. */
class OciStartOrderTest {
    @TempDir
    Path tmp;

    @Test
    void aBundleStartsWithTheSameSteps() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("bundle/rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.setPosixFilePermissions(Files.writeString(rootfs.resolve("bin/sh"), "#!"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(rootfs.resolve("proc"));
        Files.writeString(rootfs.resolve("proc/kcore"), "");
        String config = DefaultSpec.JSON.replace("\"terminal\": true", "\"terminal\": false");
        Files.writeString(tmp.resolve("bundle/config.json"), config);
        OciConfig c = OciConfig.read(tmp.resolve("bundle"));
        try (RecordingKernel k = new RecordingKernel()) {
            OciBundle plan = new OciBundle(c, "oci-order", new RuntimeLog(null, null, new java.io.PrintWriter(System.err, true)), 0, Path.of(""), null);
            LaunchSpec spec = new LaunchSpec("oci-order", plan, c.process().args(), c.process().env(), c.process().cwd(), false,
                    new LaunchSpec.Stdio(0, 1, 2), null, plan.credentials(), Files.createDirectories(tmp.resolve("state")));
            ContainerStart.create(spec).start();
            List<String> all = Arrays.stream(StartStep.values()).map(s -> s.name().toLowerCase().replace('_', '-')).toList();
            assertEquals(all, k.steps(), "the steps of jbox run, in its order");

            List<RecordingKernel.Call> calls = k.calls();
            int bindRoot = indexOf(calls, x -> x.name().equals("mount") && x.arg(0).equals(rootfs.toString()) && x.arg(1).equals(rootfs.toString()));
            int devTmpfs = indexOf(calls, x -> x.name().equals("mount") && x.arg(1).equals(rootfs.resolve("dev").toString()));
            int procMount = indexOf(calls, x -> x.name().equals("move_mount") && x.args().contains(rootfs.resolve("proc").toString()));
            int kcoreMask = indexOf(calls, x -> x.name().equals("mount") && x.arg(1).equals(rootfs.resolve("proc/kcore").toString()));
            int pivot = indexOf(calls, x -> x.name().equals("pivot_root"));
            // config.json lists /proc first and /dev after it: mountinfo must list them so, and the kernel lists mounts as made
            assertTrue(bindRoot < procMount && procMount < devTmpfs && devTmpfs < kcoreMask && kcoreMask < pivot,
                    "root bound, config.json's mounts in its order (/proc, then /dev), masks, pivot_root: " + calls);
        }
    }

    private static int indexOf(List<RecordingKernel.Call> calls, java.util.function.Predicate<RecordingKernel.Call> p) {
        for (int i = 0; i < calls.size(); i++) if (p.test(calls.get(i))) return i;
        throw new AssertionError("not in " + calls);
    }
}
