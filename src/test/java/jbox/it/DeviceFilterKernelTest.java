package jbox.it;

import jbox.cgroup.DeviceFilter;
import jbox.sys.Sys;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The device program on the running kernel: loaded and attached to a cgroup2 directory of the test's
 * own (on this hybrid host the controller-less cgroup2 mount, on a pure v2 host /sys/fs/cgroup), then a
 * process in that cgroup may read /dev/zero but not /dev/kmsg, which Docker's list leaves out.
 */
@Tag("root")
class DeviceFilterKernelTest {
    @Test
    void theKernelEnforcesDockersDeviceList() throws Exception {
        Requires.that(Sys.isRoot(), "loading a cgroup device program needs root: sudo ./run-tests");
        Path mount = Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f[2].equals("cgroup2")).map(f -> Path.of(f[1])).findFirst().orElse(null);
        Requires.machineHas(Requires.MayLack.CGROUP2_MOUNT, mount != null);
        Path group = Files.createDirectory(mount.resolve("jbox-test-devices-" + ProcessHandle.current().pid()));
        try {
            DeviceFilter.attach(group, List.of("c 1:5 rwm")); // /dev/zero only
            String script = "echo $$ > " + group.resolve("cgroup.procs") + " && head -c 3 /dev/zero | wc -c && head -c 1 /dev/kmsg";
            var r = Jbox.exec(30, "/bin/busybox", "sh", "-c", script);
            assertEquals("3\n", r.out(), "/dev/zero is allowed: " + r.all());
            assertTrue(r.err().contains("/dev/kmsg") && r.err().contains("Operation not permitted"), "/dev/kmsg is not: " + r.all());
            assertNotEquals(0, r.code());

            DeviceFilter.attach(group, List.of("c 1:5 rwm", "c 1:11 r")); // replaces the program: /dev/kmsg readable now
            var again = Jbox.exec(30, "/bin/busybox", "sh", "-c", "echo $$ > " + group.resolve("cgroup.procs") + " && head -n 1 /dev/kmsg | wc -l");
            assertEquals("1\n", again.out(), "a record of the kernel log read through the new program: " + again.all());
        } finally {
            Files.delete(group); // its processes have ended; the program goes with the cgroup
        }
    }
}
