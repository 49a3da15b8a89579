package jbox.io;

import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The home of the person at the keyboard, where their shell history and lesson progress live. Under
 * sudo that is the learner who ran sudo (SUDO_USER), not root: their history must not land in
 * /root, and the files jbox writes there stay theirs.
 */
public final class LearnerHome {
    private LearnerHome() {}

    public static Path dir() {
        Sudoer s = sudoer();
        if (s != null) return s.home;
        return Path.of(System.getenv().getOrDefault("HOME", System.getProperty("user.home")));
    }

    /** Gives a file jbox wrote in the learner's home to the learner (under sudo; otherwise it is theirs already). */
    public static void own(Path file) throws IOException {
        Sudoer s = sudoer();
        if (s == null || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return;
        Files.setAttribute(file, "unix:uid", s.uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", s.gid, LinkOption.NOFOLLOW_LINKS);
    }

    private record Sudoer(int uid, int gid, Path home) {}

    private static Sudoer sudoer() {
        String user = System.getenv("SUDO_USER"), uid = System.getenv("SUDO_UID"), gid = System.getenv("SUDO_GID");
        if (user == null || uid == null || gid == null || !Sys.isRoot() || uid.equals("0")) return null;
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length >= 6 && f[0].equals(user) && f[2].equals(uid)) return new Sudoer(Integer.parseInt(uid), Integer.parseInt(gid), Path.of(f[5]));
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
