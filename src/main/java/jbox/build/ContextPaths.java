package jbox.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths a build reads, resolved inside its context. The context is unpacked from the client's tar,
 * so it may hold symbolic links the client made ({@code ln -s /etc ctx/dl}): a link is followed
 * only while where it leads stays inside the context; one that leads out (an absolute target, or
 * ".." above the context) is refused, so a build never reads a file of the daemon's host.
 */
final class ContextPaths {
    private static final int MAX_LINKS = 40; // as the kernel's path walk

    private ContextPaths() {}

    /** A path of the context that leaves it through a symbolic link or "..". */
    static final class OutsideContextException extends IOException {
        final String path;
        final String link;
        final String target;

        OutsideContextException(String path, String link, String target) {
            super(link == null ? path + " leads outside the build context"
                    : path + ": " + link + " is a symbolic link to " + target + ", outside the build context");
            this.path = path;
            this.link = link;
            this.target = target;
        }
    }

    /**
     * The file a context-relative path names, every directory on the way resolved inside the
     * context; the last component itself is followed only when followLast (COPY copies a link
     * as a link, the Dockerfile is read through one).
     */
    static Path resolve(Path context, String relative, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(relative));
        List<String> done = new ArrayList<>();
        int links = 0;
        String lastLink = null, lastTarget = null;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst();
            if (part.equals(".")) continue;
            if (part.equals("..")) {
                if (done.isEmpty()) throw new OutsideContextException(relative, lastLink, lastTarget);
                done.remove(done.size() - 1);
                continue;
            }
            Path candidate = join(context, done).resolve(part);
            boolean last = todo.isEmpty();
            if ((!last || followLast) && Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) throw new IOException("too many levels of symbolic links in " + relative);
                String target = Files.readSymbolicLink(candidate).toString();
                String link = String.join("/", done) + (done.isEmpty() ? "" : "/") + part;
                if (target.startsWith("/")) throw new OutsideContextException(relative, link, target);
                lastLink = link;
                lastTarget = target;
                List<String> parts = split(target); // relative to the link's directory; ".." above the top is refused below
                for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
                continue;
            }
            done.add(part);
        }
        return join(context, done);
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
