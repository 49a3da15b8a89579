package jbox.shell;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TraceViewTest {
    private static final String ROOT = "/var/lib/jbox/rootfs"; // every sandbox's root is mounted there, in its own mount namespace
    private static final java.util.Map<String, String> NAMES = TraceView.names(ROOT, "/var/lib/jbox/sandboxes/sb1", "/var/lib/jbox/layers");

    @Test
    void likeCallsOnOneDirectoryBecomeOneLineAndHostPathsAreNamed() {
        List<String> lines = new java.util.ArrayList<>(List.of(
                "# mounts: /dev with its nodes",
                "mount(\"tmpfs\", \"" + ROOT + "/dev\", \"tmpfs\", MS_NOSUID, \"mode=755\") = 0"));
        for (String node : List.of("null", "zero", "full", "random")) {
            lines.add("mknod(\"" + ROOT + "/dev/" + node + "\", 020666, 1:3) = 0");
            lines.add("chmod(\"" + ROOT + "/dev/" + node + "\", 0666) = 0");
        }
        lines.add("mount(\"overlay\", \"" + ROOT + "\", \"overlay\", 0, \"lowerdir=/var/lib/jbox/layers/" + "e09e42e8dade".repeat(5) + "abcd,upperdir=/var/lib/jbox/sandboxes/sb1/upper\") = 0");
        assertEquals(List.of(
                "# mounts: /dev with its nodes",
                "mount(\"tmpfs\", \"ROOT/dev\", \"tmpfs\", MS_NOSUID, \"mode=755\") = 0",
                "mknod + chmod \u00d74: ROOT/dev/{null,zero,full,random} = 0",
                "mount(\"overlay\", \"ROOT\", \"overlay\", 0, \"lowerdir=LAYERS/e09e42e8dade\u2026,upperdir=BOX/upper\") = 0"),
                TraceView.compact(lines, NAMES));
    }

    @Test
    void aFailedCallOrAShortRunStaysAsItWas() {
        List<String> lines = List.of(
                "mknod(\"" + ROOT + "/dev/a\", 020666, 1:3) = 0",
                "mknod(\"" + ROOT + "/dev/b\", 020666, 1:3) = -1 EPERM (Operation not permitted)",
                "mknod(\"" + ROOT + "/dev/c\", 020666, 1:3) = 0",
                "mknod(\"" + ROOT + "/dev/d\", 020666, 1:3) = 0");
        assertEquals(List.of(
                "mknod(\"ROOT/dev/a\", 020666, 1:3) = 0",
                "mknod(\"ROOT/dev/b\", 020666, 1:3) = -1 EPERM (Operation not permitted)",
                "mknod(\"ROOT/dev/c\", 020666, 1:3) = 0",
                "mknod(\"ROOT/dev/d\", 020666, 1:3) = 0"), TraceView.compact(lines, NAMES));
    }
}
