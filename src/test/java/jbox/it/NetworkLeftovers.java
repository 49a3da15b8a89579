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
        List<Path> files;
        while (true) {
            try (Stream<Path> s = Files.walk(run)) {
                files = s.filter(Files::isRegularFile).toList();
                break;
            } catch (java.io.UncheckedIOException e) {
                // another jbox on the machine removed a network's directory during the walk: look again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) throw e;
            }
        }
        for (Path f : files) {
            try {
                if (!f.getFileName().toString().startsWith(".") && Files.readString(f).contains("\"" + root + "\"")) out.add(f.toString());
            } catch (java.nio.file.NoSuchFileException released) {
                // another jbox released it meanwhile: not this root's
            }
        }
        return out;
    }

    /**
     * `ip -o link` lines of the devices jbox made for this root: its containers' veths and its
     * networks' bridges, which jbox names in their alias ("jbox container ID of ROOT"). Another jbox
     * on the machine (a learner's, a daemon) has its own, which are none of this test's business.
     */
    static List<String> linksOf(Path root) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-o", "link").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.matches(".*\\balias jbox .* of " + java.util.regex.Pattern.quote(root.toString()) + "$")).toList();
    }

    /**
     * Whether another jbox on this machine (a learner's, a daemon of another root) uses jbox's host
     * networking now: an address claimed for another root, a live holder of a bridge that runs on
     * another root, or a jbox bridge that is not this root's. Then the shared jbox0 bridge and the
     * NAT table stay when this test's last container goes, and only this root's devices are checked.
     */
    static boolean othersUseJboxNetworking(Path root) throws IOException, InterruptedException {
        Path run = Path.of("/run/jbox/net");
        if (Files.isDirectory(run)) {
            try (Stream<Path> s = Files.walk(run)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    String n = f.getFileName().toString();
                    if (n.startsWith(".hold-")) {
                        String[] p = n.split("-");
                        if (p.length == 3 && jbox.sys.Processes.isSame(Integer.parseInt(p[1]), Long.parseLong(p[2])) && !runsOn(Integer.parseInt(p[1]), root)) return true;
                    } else if (!n.startsWith(".") && f.getParent().getParent().equals(run) && !Files.readString(f).contains("\"" + root + "\"")) {
                        return true;
                    }
                }
            }
        }
        Process p = new ProcessBuilder("ip", "-o", "link", "show", "type", "bridge").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        String mine = " of " + root;
        return out.lines().anyMatch(l -> l.matches("\\d+: jbox.*") && !l.matches("\\d+: jbox0:.*") && !l.endsWith(mine));
    }

    private static boolean runsOn(int pid, Path root) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/environ")).contains("JBOX_ROOT=" + root + "\0");
        } catch (IOException e) {
            return false;
        }
    }

    /** `ip -o link` lines of jbox0, the bridge every root shares. */
    static List<String> defaultBridge() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-o", "link").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.matches("\\d+: jbox0:.*")).toList();
    }

    /** `nft list table ip jbox`, or "" when the table does not exist. */
    static String nftTable() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nft", "list", "table", "ip", "jbox").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? out : "";
    }
}
