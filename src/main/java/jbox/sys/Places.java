package jbox.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where jbox keeps its files. As root: images and containers in /var/lib/jbox, sockets and network
 * state in /run/jbox. Without root (./jbox then runs in the user's own user namespace, see
 * src/main/c/ns.c), the user's: $XDG_DATA_HOME/jbox (~/.local/share/jbox) and the run directory
 * the launcher chose ($XDG_RUNTIME_DIR/jbox, or /tmp/jbox-UID), as podman does.
 */
public final class Places {
    private Places() {}

    /** A process's user namespace never changes (jbox never joins one itself): read once. */
    private static volatile Long hostUid;

    /** Whether jbox runs without root: in a user namespace whose uid 0 is not the host's root. */
    public static boolean rootless() { return hostUid() != 0; }

    /** The host uid this process's uid 0 is (0 outside a user namespace). */
    public static long hostUid() {
        Long known = hostUid;
        if (known == null) hostUid = known = readHostUid();
        return known;
    }

    private static long readHostUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/uid_map"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[0].equals("0")) return Long.parseLong(f[1]);
            }
            return -1; // uid 0 unmapped: not root in any sense
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static volatile Boolean setgroups;

    /** Whether setgroups(2) may be called: not in a user namespace mapped without newgidmap ("deny" in /proc/self/setgroups). */
    public static boolean setgroupsAllowed() {
        Boolean allowed = setgroups;
        if (allowed == null) {
            try {
                allowed = !Files.readString(Path.of("/proc/self/setgroups")).trim().equals("deny");
            } catch (IOException e) {
                allowed = true;
            }
            setgroups = allowed;
        }
        return allowed;
    }

    /** Whether this process's user namespace has uid (always, outside one). */
    public static boolean hasUid(long uid) { return !rootless() || maps("uid_map", uid); }

    /** Whether this process's user namespace has gid (always, outside one). */
    public static boolean hasGid(long gid) { return !rootless() || maps("gid_map", gid); }

    private static boolean maps(String file, long id) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/" + file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && id >= Long.parseLong(f[0]) && id < Long.parseLong(f[0]) + Long.parseLong(f[2])) return true;
            }
            return false;
        } catch (IOException | NumberFormatException e) {
            return true;
        }
    }

    /** /proc/self/uid_map as one line, "0 1001 1; 1 100000 65536". */
    public static String uidMap() {
        try {
            return String.join("; ", Files.readAllLines(Path.of("/proc/self/uid_map")).stream().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The default jbox root: images, layers, containers, volumes. */
    public static Path dataRoot() {
        if (!rootless()) return Path.of("/var/lib/jbox");
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && xdg.startsWith("/")) return Path.of(xdg, "jbox");
        return Path.of(System.getenv().getOrDefault("HOME", "/"), ".local", "share", "jbox"); // not user.home: uid 0's, /root
    }

    /** Sockets, network claims and other state that ends with the machine's boot. */
    public static Path runDir() {
        String dir = System.getenv("JBOX_RUN_DIR");
        if (rootless() && dir != null && dir.startsWith("/")) return Path.of(dir);
        return Path.of("/run/jbox");
    }

    /** jbox-runc's default --root. */
    public static Path runtimeRoot() { return rootless() ? runDir().resolve("runc") : Path.of("/run/jbox-runc"); }
}
