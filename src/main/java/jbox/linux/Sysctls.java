package jbox.linux;

import jbox.sys.Namespaces;
import jbox.sys.Namespaces.Kind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;



/**
 * Kernel settings written for a container (--sysctl, config.json's linux.sysctl) through its
 * /proc/sys, before /proc/sys turns read-only. net.* and the ipc keys belong to the writer's
 * namespaces, so the calling (setup) thread joins the container's first: that thread is then
 * used for nothing that needs the host's.
 */
public final class Sysctls {
    private Sysctls() {}

    public static void write(Path rootfs, int pid, Map<String, String> values) {
        if (values.isEmpty()) return;
        for (Kind k : List.of(Kind.NET, Kind.IPC, Kind.UTS)) Namespaces.join("/proc/" + pid + "/ns/" + k.link, k);
        for (var e : values.entrySet()) {
            Path f = rootfs.resolve("proc/sys").resolve(e.getKey().replace('.', '/'));
            try {
                Files.writeString(f, e.getValue());
            } catch (java.nio.file.NoSuchFileException ex) {
                throw new IllegalArgumentException("sysctl " + e.getKey() + ": this kernel has no such setting");
            } catch (IOException ex) {
                throw new IllegalArgumentException("sysctl " + e.getKey() + "=" + e.getValue() + ": the kernel refused the value (" + ex.getMessage() + ")");
            }
        }
    }
}
