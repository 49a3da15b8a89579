package jbox.linux;

import jbox.linux.SecurePath;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The user a container runs as, looked up in the image's /etc/passwd and /etc/group as Docker does. */
public record User(int uid, int gid, int[] groups, String home) {
    /** Where the image's /etc/passwd or /etc/group is on the host (null or missing: the image has none). */
    public interface Files { Path locate(String absolutePath) throws IOException; }


    /** Resolves "", "name", "uid", "name:group" or "uid:gid" against the files inside root. */
    public static User resolve(Path root, String spec) throws IOException {
        return resolve(f -> SecurePath.resolve(root, f), spec);
    }

    /** The same lookup where the files are not under one root (the layers of an image being built). */
    public static User resolve(Files files, String spec) throws IOException {
        String userPart = spec == null || spec.isEmpty() ? "0" : spec;
        String groupPart = null;
        int colon = userPart.indexOf(':');
        if (colon >= 0) {
            groupPart = userPart.substring(colon + 1);
            userPart = userPart.substring(0, colon);
        }
        List<String[]> passwd = read(files.locate("/etc/passwd"));
        List<String[]> group = read(files.locate("/etc/group"));
        String[] entry = null;
        for (String[] p : passwd) {
            if (p.length >= 4 && (p[0].equals(userPart) || p[2].equals(userPart))) {
                if (p[0].equals(userPart) || entry == null) entry = p;
            }
        }
        int uid;
        int gid;
        String home = "/";
        String name = null;
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
            if (entry.length > 5 && !entry[5].isEmpty()) home = entry[5];
            name = entry[0];
        } else if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
            gid = 0;
        } else {
            throw new IllegalArgumentException("unable to find user " + userPart + ": no matching entries in the image's /etc/passwd");
        }
        if (groupPart != null) {
            Integer g = null;
            for (String[] e : group) if (e.length >= 3 && (e[0].equals(groupPart) || e[2].equals(groupPart))) g = Integer.parseInt(e[2]);
            if (g == null && isNumber(groupPart)) g = Integer.parseInt(groupPart);
            if (g == null) throw new IllegalArgumentException("unable to find group " + groupPart + ": no matching entries in the image's /etc/group");
            gid = g;
        }
        Set<Integer> groups = new LinkedHashSet<>();
        groups.add(gid);
        if (name != null && groupPart == null) {
            for (String[] e : group) {
                if (e.length >= 4 && !e[3].isEmpty() && List.of(e[3].split(",")).contains(name)) groups.add(Integer.parseInt(e[2]));
            }
        }
        return new User(uid, gid, groups.stream().mapToInt(Integer::intValue).toArray(), home);
    }

    /** The same user with more supplementary groups (--group-add): numbers, or names from the image's /etc/group. */
    public User withGroups(Path root, List<String> extra) throws IOException {
        if (extra.isEmpty()) return this;
        List<String[]> group = read(SecurePath.resolve(root, "/etc/group"));
        Set<Integer> all = new LinkedHashSet<>();
        for (int g : groups) all.add(g);
        for (String name : extra) {
            Integer g = null;
            for (String[] e : group) if (e.length >= 3 && e[0].equals(name)) g = Integer.parseInt(e[2]);
            if (g == null && isNumber(name)) g = Integer.parseInt(name);
            if (g == null) throw new IllegalArgumentException("unable to find group " + name + ": no matching entries in the image's /etc/group");
            all.add(g);
        }
        return new User(uid, gid, all.stream().mapToInt(Integer::intValue).toArray(), home);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static List<String[]> read(Path p) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (p == null || !java.nio.file.Files.isRegularFile(p)) return out;
        for (String line : java.nio.file.Files.readAllLines(p)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }
}
