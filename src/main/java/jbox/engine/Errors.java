package jbox.engine;

import jbox.sys.Failure;
import jbox.sys.Places;

import jbox.cgroup.CgroupException;
import jbox.image.CorruptBlobException;
import jbox.image.HostileLayerException;
import jbox.image.ImageNotFoundException;
import jbox.runtime.NoSuchContainerException;
import jbox.linux.NotRunnableException;
import jbox.sys.ErrnoAdvice;
import jbox.sys.SyscallException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns what went wrong deep down into what a learner needs: what failed, the likely cause
 * for this step, and what to do. The advice is keyed by the system call and errno.
 */
public final class Errors {
    private Errors() {}

    public static Failure explain(Throwable t, String context) {
        if (t instanceof Failure e) return e;
        if (t instanceof java.io.UncheckedIOException u) t = u.getCause();
        Throwable root = t;
        while (!(root instanceof SyscallException) && root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof SyscallException s) return ErrnoAdvice.explain(s, context);
        if (t instanceof NotRunnableException n) {
            int code = n.exitCode();
            return new Failure(code, t.getMessage(), code == 127 ? "the command does not exist in the image" : "the file cannot be executed",
                    "check the command: jbox run IMAGE ls /bin lists what the image has", t);
        }
        if (t instanceof HostileLayerException || t instanceof CorruptBlobException) {
            return new Failure(125, context + ": " + t.getMessage(), "the image data is damaged or was crafted to attack", "remove it (jbox rmi) and get it from a trusted source", t);
        }
        if (t instanceof ImageNotFoundException || t instanceof NoSuchContainerException) {
            return new Failure(125, t.getMessage(), "nothing has that name or id", "list what exists with jbox images / jbox ps -a", t).httpStatus(404);
        }
        if (t instanceof IllegalArgumentException && String.valueOf(t.getMessage()).startsWith("unable to find ")) {
            return new Failure(125, context + ": " + t.getMessage(), "the user or group is not in the image's /etc/passwd or /etc/group",
                    "use numbers (-u 1000:1000), or create the user in the image (RUN adduser -D NAME)", t);
        }
        if (t instanceof CgroupException) {
            return new Failure(125, context + ": " + t.getMessage(), "the cgroup filesystem refused the change", "check that /sys/fs/cgroup is mounted writable and jbox runs as root", t);
        }
        if (t instanceof AccessDeniedException) {
            if (Places.rootless()) {
                return new Failure(125, context + ": permission denied on " + t.getMessage(), "jbox runs without root, and these files belong to another user (root's jbox, or JBOX_ROOT pointing at someone else's)",
                        "use your own: unset JBOX_ROOT (yours is " + Places.dataRoot() + "), or run jbox with sudo", t);
            }
            return new Failure(125, context + ": permission denied on " + t.getMessage(), "jbox's files belong to root", "run jbox with sudo", t);
        }
        if (t instanceof NoSuchFileException) {
            return new Failure(125, context + ": " + t.getMessage() + " does not exist", "a file jbox expected is missing", "check the path, or pull the image again", t);
        }
        if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No space left on device")) {
            return new Failure(125, context + ": the disk is full (No space left on device)", "the filesystem holding the jbox root ("
                    + Engine.setting("jbox.root", "JBOX_ROOT", Places.dataRoot().toString()) + ") has no room left; nothing half-written was kept",
                    "free some space (jbox rmi, jbox rm), or use a root on a bigger disk with JBOX_ROOT", t);
        }
        String message = String.valueOf(t.getMessage());
        if (t instanceof IOException && message.contains("File name too long")) {
            return new Failure(125, context + ": a name is too long for the filesystem", "file names are at most 255 bytes",
                    "use a shorter name", t).httpStatus(400);
        }
        if (t instanceof java.io.EOFException || message.contains("Truncated TAR archive") || message.contains("Unexpected end of ZLIB input stream")) {
            return new Failure(125, context + ": the archive ends early (" + message + ")", "it was cut off while it was written or sent",
                    "make or download it again", t).httpStatus(400);
        }
        if (t instanceof IOException) {
            return new Failure(125, context + ": " + message, "a file operation failed: " + t.getClass().getSimpleName(),
                    "read the message above; JBOX_DEBUG=1 shows where it failed", t);
        }
        return new Failure(125, context + ": " + t.getMessage(), "an internal step failed", "run again with JBOX_DEBUG=1 for the full trace, and report it", t);
    }
}
