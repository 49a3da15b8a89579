package jbox.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the machine. Outside CI a test without it is skipped (a laptop without
 * podman); in CI (CI=true, as .ci/run sets it, on a machine ./run-tests prepared) a missing need is
 * a failure, unless it is on this short, reviewed list of things CI machines may lack for good.
 */
public final class Requires {
    private Requires() {}

    /** Needs a CI machine may lack; each says why that is no defect of jbox or of the set-up. */
    public enum MayLack {
        BLOCK_DEVICE("the jbox root on a block device: a root on tmpfs or overlay (a container as CI runner) has none to throttle"),
        V1_DEVICES("the cgroup v1 devices controller: pure cgroup v2 hosts have none (their device filter is a BPF program)"),
        LOOP_DEVICES("loop devices: a CI runner in a container or VM may have no /dev/loop*"),
        CGROUP2_MOUNT("a cgroup2 mount beside v1: pure cgroup v1 hosts have none"),
        V2_WITHOUT_MEMORY("a cgroup2 tree without the memory controller: on a pure v2 host with every controller, no limit is out of reach");

        final String why;

        MayLack(String why) { this.why = why; }
    }

    /** Skips (anywhere) when the machine lacks one of the reviewed needs. */
    public static void machineHas(MayLack need, boolean present) {
        assumeTrue(present, "this machine lacks " + need.why);
    }

    /** Skips outside CI, fails in CI, when what the test needs is missing. */
    public static void that(boolean present, String what) {
        if (present) return;
        if ("true".equals(System.getenv("CI"))) fail("missing in CI: " + what + " (./run-tests installs and starts what the tests need)");
        assumeTrue(false, what);
    }
}
