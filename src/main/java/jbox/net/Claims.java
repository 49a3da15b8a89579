package jbox.net;

import jbox.io.Json;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which container holds which address on a bridge: one file per address under
 * /run/jbox/net/BRIDGE/, made with O_EXCL so two jbox processes never hand out the same one.
 * /run is emptied at boot, as the bridges and containers are. The container is named by its jbox
 * root and id, because jbox processes on other roots share the default bridge.
 */
public final class Claims {
    private Claims() {}

    /**
     * One held address. hostsFile: the container's /etc/hosts on the host, updated as peers come and go;
     * aliases: more names peers find it by (null in claims made before aliases).
     */
    public record Claim(String ip, String root, String id, String name, String hostname, String hostsFile, List<String> aliases) {
        /** Its line in a peer's /etc/hosts: the address, its name and aliases. */
        String hostsLine() {
            return ip + "\t" + name + (aliases == null || aliases.isEmpty() ? "" : " " + String.join(" ", aliases));
        }
    }

    static Path dir(String bridge) { return Bridges.RUN.resolve(bridge); }

    /** Claims the first free host address after the gateway. */
    static Claim claim(Network n, String root, String id, String name, String hostname, List<String> aliases, Path hostsFile) throws IOException {
        Ipv4.Subnet range = n.range();
        Ipv4 gateway = n.gatewayAddress();
        Path dir = dir(n.bridge());
        Files.createDirectories(dir);
        for (int i = 1; i <= range.size(); i++) {
            Ipv4 a = range.host(i);
            if (a.equals(gateway)) continue;
            Path f = dir.resolve(a.toString());
            if (Files.exists(f)) continue;
            try {
                Claim c = new Claim(a.toString(), root, id, name, hostname, hostsFile.toString(), aliases);
                Files.write(f, Json.bytes(c), java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                return c;
            } catch (FileAlreadyExistsException e) {
                // taken meanwhile
            }
        }
        throw new jbox.sys.Failure("no free address is left on network " + n.name() + " (" + n.subnet() + ")",
                "every address of its subnet is held by a running container", "stop some containers, or create a network with a larger --subnet");
    }

    static void release(String bridge, String ip) throws IOException {
        Files.deleteIfExists(dir(bridge).resolve(ip));
    }

    public static List<Claim> list(String bridge) throws IOException {
        List<Claim> out = new ArrayList<>();
        Path dir = dir(bridge);
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                if (f.getFileName().toString().startsWith(".")) continue; // a holder's mark, not an address
                try {
                    out.add(Json.read(Files.readAllBytes(f), Claim.class, "address claim " + f));
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(f); // half-written by a jbox killed while claiming
                }
            }
        }
        return out;
    }
}
