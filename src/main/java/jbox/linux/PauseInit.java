package jbox.linux;

import jbox.sys.Failure;
import jbox.sys.Spawn;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static jbox.sys.Linux.*;

/**
 * The first process of a pid namespace that jbox's shell makes: catatonit in pause mode, the init
 * podman gives its pause process. It does what a pid namespace needs of its PID 1 and nothing else:
 * it lives (so the namespace outlives the learner's commands), adopts and reaps orphans, and ends on
 * SIGTERM or SIGINT. Kubernetes starts a pause container for the same reason, and docker's --init
 * a small init.
 */
public final class PauseInit {
    private static final List<String> PLACES = List.of("/usr/bin/catatonit", "/usr/libexec/podman/catatonit", "/usr/local/bin/catatonit");

    private PauseInit() {}

    /** The host's catatonit; a Failure naming the package when it is missing. */
    public static Path binary() {
        for (String p : PLACES) if (Files.isExecutable(Path.of(p))) return Path.of(p);
        throw new Failure("cannot start the pid namespace's first process: catatonit is not installed",
                "jbox gives each new pid namespace a small init (catatonit) as PID 1, so the namespace lives on between commands",
                "install it: sudo apt-get install catatonit (./jbox does on first use), or use enter pid --bare to make your first command PID 1");
    }

    /**
     * Spawns it from the calling thread, whose pid_for_children is the new namespace, so it becomes
     * PID 1 there; stdio is /dev/null of the host's side.
     */
    public static int spawn(Path binary, int devNull) {
        try (Spawn s = new Spawn(binary.toString(), List.of("catatonit", "-P"), List.of())) {
            s.dup2(devNull, 0).dup2(devNull, 1).dup2(devNull, 2).closeFrom(3);
            return s.spawn();
        }
    }

    /**
     * The same from a thread whose root is an image's, without catatonit: hostCopy (open_tree of the
     * host's file) is bound for the moment of the spawn onto a file in the sandbox's /dev, jbox's own
     * tmpfs, so that nothing is added to the image's files and ps still says catatonit.
     */
    public static int spawnInImage(int hostCopy, int devNull) throws IOException {
        Path dir = Files.createDirectory(Path.of("/dev/.jbox-init"));
        Path bin = Files.createFile(dir.resolve("catatonit"));
        try {
            Sys.moveMount(hostCopy, bin.toString());
            try {
                return spawn(bin, devNull);
            } finally {
                Sys.umount2(bin.toString(), MNT_DETACH);
            }
        } finally {
            Files.delete(bin);
            Files.delete(dir);
        }
    }
}
