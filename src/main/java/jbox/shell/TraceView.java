package jbox.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Explain mode's lines as a learner reads them: host paths named by what they are (ROOT for the
 * sandbox's root), and a run of like calls on one directory (the device nodes made in /dev, the
 * /proc paths masked one by one) as one line with the names and a count. `explain full` prints every
 * call as the kernel saw it.
 */
final class TraceView {
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\) = (.*)$");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    /** Fewer like calls than this stay one per line. */
    private static final int GROUP = 3;

    private TraceView() {}

    /** One call, or two on the same path (mknod then chmod, a bind then its read-only remount). */
    private record Unit(String calls, String path, List<String> lines, boolean ok) {
        String parent() {
            int slash = path == null ? -1 : path.lastIndexOf('/');
            return slash <= 0 ? null : path.substring(0, slash);
        }

        String name() { return path.substring(path.lastIndexOf('/') + 1); }
    }

    /**
     * @param lines the step's calls and "# step" titles as recorded
     * @param names host path prefix to the word shown for it, longest first (the sandbox's root first)
     */
    static List<String> compact(List<String> lines, Map<String, String> names) {
        List<String> named = lines.stream().map(l -> rename(l, names)).toList();
        List<Unit> units = pair(named);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < units.size(); ) {
            int j = i + 1;
            Unit u = units.get(i);
            while (u.ok() && u.parent() != null && j < units.size() && units.get(j).ok() && units.get(j).calls().equals(u.calls())
                    && u.parent().equals(units.get(j).parent())) {
                j++;
            }
            if (j - i >= GROUP) {
                List<String> each = units.subList(i, j).stream().map(Unit::name).toList();
                out.add(u.calls() + " \u00d7" + (j - i) + ": " + u.parent() + "/{" + String.join(",", each) + "} = 0");
            } else {
                for (int k = i; k < j; k++) out.addAll(units.get(k).lines());
            }
            i = j;
        }
        return out;
    }

    private static List<Unit> pair(List<String> lines) {
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher a = CALL.matcher(lines.get(i));
            if (!a.matches()) {
                units.add(new Unit(lines.get(i), null, List.of(lines.get(i)), false));
                continue;
            }
            String path = lastPath(a.group(2));
            boolean ok = a.group(3).equals("0");
            if (i + 1 < lines.size() && path != null && ok) {
                Matcher b = CALL.matcher(lines.get(i + 1));
                if (b.matches() && b.group(3).equals("0") && path.equals(lastPath(b.group(2)))) {
                    units.add(new Unit(a.group(1) + " + " + b.group(1), path, List.of(lines.get(i), lines.get(i + 1)), true));
                    i++;
                    continue;
                }
            }
            units.add(new Unit(a.group(1), path, List.of(lines.get(i)), ok));
        }
        return units;
    }

    /** The last quoted absolute path among a call's arguments: what it works on (mknod's node, mount's target). */
    private static String lastPath(String args) {
        String path = null;
        Matcher q = QUOTED.matcher(args);
        while (q.find()) if (q.group(1).startsWith("/") || q.group(1).matches("[A-Z]+(/.*)?")) path = q.group(1);
        return path;
    }

    private static String rename(String line, Map<String, String> names) {
        for (Map.Entry<String, String> e : names.entrySet()) line = line.replace(e.getKey(), e.getValue());
        return DIGEST.matcher(line).replaceAll(m -> m.group(1) + "\u2026"); // a layer's digest, as docker shortens ids
    }

    private static final Pattern DIGEST = Pattern.compile("\\b([0-9a-f]{12})[0-9a-f]{52}\\b");

    /** The names for a sandbox: its root, its own directory, the image layers. */
    static Map<String, String> names(String rootfs, String sandboxDir, String layers) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(rootfs, "ROOT");
        m.put(sandboxDir, "BOX");
        m.put(layers, "LAYERS");
        return m;
    }
}
