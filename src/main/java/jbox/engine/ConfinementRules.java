package jbox.engine;

import jbox.sys.Failure;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.runtime.Confinement;
import jbox.linux.Credentials;
import jbox.linux.Seccomp;
import jbox.linux.SeccompProfiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Docker's rules for a container's confinement that need the host: a device to pass in must
 * exist, a seccomp profile must compile, a namespace to share must belong to a running container.
 * Checked when the container is created (a 400 then, not a failure at start), and turned into
 * what the start applies.
 */
final class ConfinementRules {
    /** Compiled filters, by profile and capabilities: compiling Docker's profile takes milliseconds, loading it microseconds. */
    private final Map<String, Seccomp> filters = new ConcurrentHashMap<>();

    /** What can be refused before anything is made. */
    void check(Confinement c, boolean hostNetwork) {
        try {
            c.checkSysctlsFor(hostNetwork);
            for (Confinement.Device d : c.devices()) deviceNumbers(d.pathOnHost());
            filter(c);
        } catch (IllegalArgumentException e) {
            throw invalid(e);
        }
    }

    static Failure invalid(IllegalArgumentException e) {
        return new Failure(e.getMessage(), "the container's settings ask for something jbox cannot do or that is not valid",
                "change or drop that setting").httpStatus(400);
    }

    /** What the container's first process (and every exec) becomes: Docker's capability set as changed, no_new_privs, the filter. */
    Credentials credentials(Confinement c) {
        try {
            return Credentials.of(c.capabilities(), c.noNewPrivilegesInEffect(), filter(c));
        } catch (IllegalArgumentException e) {
            throw invalid(e);
        }
    }

    /** The seccomp filter: none when privileged or unconfined, jbox's default (Docker's) unless a profile is given. */
    private Seccomp filter(Confinement c) {
        if (c.privileged() || "unconfined".equals(c.seccomp())) return null;
        long caps = c.capabilities();
        String key = caps + "\n" + (c.seccomp() == null ? "" : c.seccomp());
        Seccomp cached = filters.get(key);
        if (cached != null) return cached;
        JsonNode profile = c.seccomp() == null ? SeccompProfiles.defaultFor(caps) : SeccompProfiles.parse(c.seccomp(), caps);
        if (profile == null) return null; // a profile with no default action and no rules: Docker reads it as unconfined
        Seccomp made;
        try {
            made = Seccomp.compile(profile, c.seccomp() == null ? "jbox's default profile" : "the container's profile");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("seccomp profile: " + e.getMessage());
        }
        filters.put(key, made);
        return made;
    }

    /** The type, major and minor of a host device node: {S_IFCHR or S_IFBLK, major, minor}. */
    static long[] deviceNumbers(String path) {
        Path p = Path.of(path);
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode"); // follows links, as /dev/disk/by-id/... are
            int type = mode & 0170000;
            if (type != 0020000 && type != 0060000) throw new IllegalArgumentException("error gathering device information while adding device \"" + path + "\": not a device node");
            long rdev = ((Number) Files.getAttribute(p, "unix:rdev")).longValue();
            return new long[]{type, jbox.sys.Linux.major(rdev), jbox.sys.Linux.minor(rdev)};
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("error gathering device information while adding device \"" + path + "\": no such file or directory");
        } catch (IOException e) {
            throw new IllegalArgumentException("error gathering device information while adding device \"" + path + "\": " + e.getMessage());
        }
    }

    /** Every character and block device under the host's /dev, as --privileged passes them in (Docker's list; links and pts left out). */
    static java.util.List<Confinement.Device> hostDevices() {
        java.util.List<Confinement.Device> out = new java.util.ArrayList<>();
        try (var walk = Files.walk(Path.of("/dev"))) {
            for (Path p : walk.toList()) {
                String s = p.toString();
                if (s.startsWith("/dev/pts") || s.startsWith("/dev/shm") || s.startsWith("/dev/mqueue") || Files.isSymbolicLink(p)) continue;
                if (s.equals("/dev/console") || s.equals("/dev/ptmx")) continue;
                int type;
                try {
                    type = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (type == 0020000 || type == 0060000) out.add(new Confinement.Device(s, s, "rwm"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the host's devices: " + e.getMessage(), e);
        }
        return out;
    }
}
