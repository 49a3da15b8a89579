package jbox.daemon;

import jbox.sys.Failure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The group whose members may use the daemon's socket (as the docker group does), created when missing. */
final class SocketGroup {
    private SocketGroup() {}

    static int ensure(String name) {
        Integer gid = lookup(name);
        if (gid != null) return gid;
        try {
            // groupadd keeps /etc/group and /etc/gshadow consistent and locked; jbox does not edit them itself.
            Process p = new ProcessBuilder("groupadd", "--system", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) throw new IOException(out);
        } catch (IOException e) {
            throw new Failure("cannot create the group " + name + " for the daemon's socket: " + e.getMessage(),
                    "jbox runs groupadd (from the passwd package) to create it", "create it yourself: groupadd --system " + name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gid = lookup(name);
        if (gid == null) throw new Failure("group " + name + " is still missing after groupadd", null, "create it: groupadd --system " + name);
        return gid;
    }

    private static Integer lookup(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":");
                if (f.length >= 3 && f[0].equals(name)) return Integer.parseInt(f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
