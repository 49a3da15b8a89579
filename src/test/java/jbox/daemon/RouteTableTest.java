package jbox.daemon;

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

/** The README's API table lists every route the daemon registers, and nothing it does not. */
class RouteTableTest {
    private static final Pattern ADD = Pattern.compile("\\.add\\(\"([A-Z]+)\", \"([^\"]+)\"");
    private static final Pattern LISTED = Pattern.compile("`(GET|POST|PUT|DELETE|HEAD) (/[^`]*)`");

    @Test
    void theReadmeListsEveryRoute() throws IOException {
        List<String> registered = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/jbox/daemon"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("Routes.java")).toList()) {
                Matcher m = ADD.matcher(Files.readString(f));
                while (m.find()) registered.add(m.group(1) + " " + m.group(2).replace("{name*}", "{name}"));
            }
        }
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("| area | routes | notes |"));
        table = table.substring(0, table.indexOf("\n\n"));
        List<String> listed = new ArrayList<>();
        Matcher m = LISTED.matcher(table);
        while (m.find()) listed.add(m.group(1) + " " + m.group(2));
        assertTrue(registered.size() > 40, "routes found: " + registered);
        assertEquals(List.of(), registered.stream().filter(r -> !listed.contains(r)).toList(), "routes the README does not list");
        assertEquals(List.of(), listed.stream().filter(r -> !registered.contains(r) && !r.equals("HEAD /_ping")).toList(), "routes the README lists that do not exist");
    }
}
