package jbox.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The three files docker writes for each container and binds over its /etc: hosts, hostname and
 * resolv.conf, kept in the container's directory on the host. On a user network, every member's
 * hosts file lists the others by name; it is rewritten in place (same inode), so the bind mount
 * inside a running container sees the change.
 */
public final class HostsFiles {
    public static final List<String> TARGETS = List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");
    private static final String BASE = String.join("\n",
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
            "fe00::0\tip6-localnet",
            "ff00::0\tip6-mcastprefix",
            "ff02::1\tip6-allnodes",
            "ff02::2\tip6-allrouters", "");
    /** Used when the host's resolvers are on loopback, which a container cannot reach (docker does the same). */
    static final List<String> PUBLIC_RESOLVERS = List.of("8.8.8.8", "8.8.4.4");

    private HostsFiles() {}

    public static Path hosts(Path stateDir) { return stateDir.resolve("hosts"); }

    /** Writes all three; ip is null without a bridge address, names follow the hostname on its line, peers are "IP\tNAME" lines. */
    static void write(Path stateDir, String hostname, String ip, List<String> names, List<String> peers, boolean hostNetwork) throws IOException {
        Files.createDirectories(stateDir);
        String hosts;
        if (hostNetwork) {
            Path h = Path.of("/etc/hosts");
            hosts = Files.exists(h) ? Files.readString(h) : BASE;
        } else {
            StringBuilder b = new StringBuilder(BASE);
            if (ip != null) b.append(ip).append('\t').append(hostname).append(names.isEmpty() ? "" : " " + String.join(" ", names)).append('\n');
            for (String p : peers) b.append(p).append('\n');
            hosts = b.toString();
        }
        rewrite(hosts(stateDir), hosts);
        rewrite(stateDir.resolve("hostname"), hostname + "\n");
        rewrite(stateDir.resolve("resolv.conf"), resolvConf(hostNetwork));
    }

    /** The host's resolv.conf; without loopback nameservers unless the container shares the host's network. */
    static String resolvConf(boolean hostNetwork) throws IOException {
        Path f = Path.of("/etc/resolv.conf");
        List<String> lines = Files.exists(f) ? Files.readAllLines(f) : List.of();
        if (hostNetwork) return String.join("\n", lines) + "\n";
        List<String> out = new ArrayList<>();
        boolean server = false;
        for (String l : lines) {
            String t = l.trim();
            if (t.startsWith("nameserver")) {
                String addr = t.substring("nameserver".length()).trim();
                if (addr.startsWith("127.") || addr.equals("::1")) continue;
                server = true;
            }
            out.add(l);
        }
        if (!server) for (String r : PUBLIC_RESOLVERS) out.add("nameserver " + r);
        return String.join("\n", out) + "\n";
    }

    /** Adds "IP\tNAME" to a peer's hosts file. */
    static void addPeer(Path hostsFile, String line) throws IOException {
        if (!Files.exists(hostsFile)) return;
        String now = Files.readString(hostsFile);
        if (!now.contains(line + "\n")) rewrite(hostsFile, now + line + "\n");
    }

    /** Removes the lines for an address from a peer's hosts file. */
    static void removePeer(Path hostsFile, String ip) throws IOException {
        if (!Files.exists(hostsFile)) return;
        StringBuilder b = new StringBuilder();
        for (String l : Files.readAllLines(hostsFile)) if (!l.startsWith(ip + "\t")) b.append(l).append('\n');
        rewrite(hostsFile, b.toString());
    }

    /** Truncates and writes, keeping the inode a bind mount points at. */
    static void rewrite(Path file, String content) throws IOException {
        Files.write(file, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
