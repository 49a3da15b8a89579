package jbox.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path under a root directory, following symbolic links without ever leaving the root,
 * in one of two ways:
 * <ul>
 * <li>{@link #resolve}: as the container will see it, from outside its root: symlinks are followed
 *     as if {@code root} were "/", and ".." never climbs above it. A hostile image can make
 *     {@code /proc} a link to {@code /etc}; resolving here keeps a mount or write inside the root.
 * <li>{@link #resolveInside}: as a build reads its context, which the client made: a link is followed
 *     only while where it leads stays inside the root; a link to an absolute path or ".." above the
 *     root is an {@link EscapeException} naming the link, never a host file.
 * </ul>
 */
public final class SecurePath {
    private static final int MAX_LINKS = 255;

    private SecurePath() {}

    /** A path that leaves its root through a symbolic link or "..". */
    public static final class EscapeException extends IOException {
        private final String path, link, target;

        EscapeException(String path, String link, String target) {
            super(path + " leads outside its root" + (link == null ? "" : " through the symbolic link " + link + " -> " + target));
            this.path = path;
            this.link = link;
            this.target = target;
        }

        /** "dl/shadow: dl is a symbolic link to /etc, outside the build context", for a root called that. */
        public String describe(String rootName) {
            return link == null ? path + " leads outside " + rootName : path + ": " + link + " is a symbolic link to " + target + ", outside " + rootName;
        }
    }

    public static Path resolve(Path root, String path) throws IOException {
        return walk(root, path, true, false);
    }

    /**
     * The file a root-relative path names, every directory on the way resolved inside the root; the
     * last component itself is followed only when followLast (a COPY copies a link as a link).
     */
    public static Path resolveInside(Path root, String path, boolean followLast) throws IOException {
        return walk(root, path, followLast, true);
    }

    private static Path walk(Path root, String path, boolean followLast, boolean escapeIsError) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        String lastLink = null, lastTarget = null;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (done.isEmpty()) {
                    if (escapeIsError) throw new EscapeException(path, lastLink, lastTarget);
                } else {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path candidate = join(root, done).resolve(part);
            if ((followLast || !todo.isEmpty()) && Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) throw new IOException("too many levels of symbolic links resolving " + path);
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) {
                    if (escapeIsError) throw new EscapeException(path, String.join("/", done) + (done.isEmpty() ? "" : "/") + part, target);
                    done.clear();
                }
                lastLink = String.join("/", done) + (done.isEmpty() ? "" : "/") + part;
                lastTarget = target;
                List<String> parts = split(target);
                for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
                continue;
            }
            done.add(part);
        }
        return join(root, done);
    }

    /** Creates the directory (and parents) at {@code path} inside root, resolving each step safely. */
    public static Path mkdirs(Path root, String path) throws IOException {
        Path resolved = resolve(root, path);
        if (!Files.isDirectory(resolved)) {
            Path parent = resolved.getParent();
            if (parent != null && !parent.equals(root) && parent.startsWith(root)) mkdirs(root, "/" + root.relativize(parent));
            Files.createDirectory(resolved);
        }
        return resolved;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) p = p.resolve(s);
        return p;
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }
}
