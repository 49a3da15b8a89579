package jbox.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path as the container will see it, from outside its root: symlinks are followed
 * as if {@code root} were "/", and ".." never climbs above it. A hostile image can make
 * {@code /proc} a link to {@code /etc}; resolving here keeps a mount or write inside the root.
 */
public final class SecurePath {
    private static final int MAX_LINKS = 255;

    private SecurePath() {}

    public static Path resolve(Path root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!done.isEmpty()) done.remove(done.size() - 1);
                continue;
            }
            Path candidate = join(root, done).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) throw new IOException("too many levels of symbolic links resolving " + path + " in the image");
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) done.clear();
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
