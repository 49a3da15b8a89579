package jbox.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What jbox's networking leaves on the host, read from the kernel and /run/jbox/net with the host's own tools. */
final class NetworkLeftovers {
    private NetworkLeftovers() {}

    /** Address claims under /run/jbox/net that name this root. */
    static List<String> claimsOf(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        Path run = Path.of("/run/jbox/net");
        if (!Files.isDirectory(run)) return out;
        try (Stream<Path> s = Files.walk(run)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                if (!f.getFileName().toString().startsWith(".") && Files.readString(f).contains("\"" + root + "\"")) out.add(f.toString());
            }
        }
        return out;
    }

    /** `ip -o link` lines of jbox bridges and of veths enslaved to them. */
    static List<String> links() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-o", "link").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.matches("\\d+: jbox.*") || l.contains("master jbox")).toList();
    }

    /** `nft list table ip jbox`, or "" when the table does not exist. */
    static String nftTable() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nft", "list", "table", "ip", "jbox").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? out : "";
    }
}
