package jbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * jbox's packages in layers, as the README draws them: a package may use only the packages below it.
 * Every reference to another jbox package (an import or a qualified name) is checked, so a cycle or a
 * reach upwards fails here with the file that makes it.
 */
class LayeringTest {
    /** Bottom first. Packages on one line are one layer: they may not use each other. */
    static final List<List<String>> LAYERS = List.of(
            List.of("(root)"),
            List.of("sys"),
            List.of("io", "text"),
            List.of("http", "linux", "cgroup", "image"),
            List.of("net", "registry"),
            List.of("runtime"),
            List.of("engine"),
            List.of("builder"),
            List.of("api"),
            List.of("client"),
            List.of("daemon", "terminal", "ociruntime"),
            List.of("shell"),
            List.of("lesson"),
            List.of("cli"));

    private static final Pattern REF = Pattern.compile("\\bjbox\\.(?:([a-z]\\w*)\\.)?([A-Z]\\w*)");

    static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) if (LAYERS.get(i).contains(pkg)) return i;
        return -1;
    }

    @Test
    void everyPackageUsesOnlyThoseBelowIt() throws IOException {
        Path src = Path.of("src/main/java/jbox");
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> all = Files.walk(src)) {
            for (Path f : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = src.relativize(f.getParent());
                String pkg = rel.toString().isEmpty() ? "(root)" : rel.toString().replace('/', '.');
                int mine = layer(pkg);
                if (mine < 0) {
                    wrong.add(f + ": package " + pkg + " is in no layer: add it to LAYERS and to the README's drawing");
                    continue;
                }
                String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Matcher m = REF.matcher(code);
                while (m.find()) {
                    String used = m.group(1) == null ? "(root)" : m.group(1);
                    if (used.equals(pkg)) continue;
                    int theirs = layer(used);
                    if (theirs < 0 || theirs >= mine) wrong.add(f + " (" + pkg + ") uses " + m.group() + " (" + used + ")");
                }
            }
        }
        assertEquals(List.of(), wrong, "references that go sideways or up the layers");
    }

    @Test
    void theReadmeDrawsTheseLayers() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        StringBuilder drawing = new StringBuilder();
        for (int i = LAYERS.size() - 1; i >= 0; i--) drawing.append(String.join("  ", LAYERS.get(i))).append('\n');
        assertTrue(readme.contains(drawing), "the README shows the layers, top first:\n" + drawing);
    }
}
