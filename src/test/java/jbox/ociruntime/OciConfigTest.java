package jbox.ociruntime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jbox.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static jbox.sys.Linux.*;
import static org.junit.jupiter.api.Assertions.*;

/** config.json as jbox-runc reads it: what is carried out, and what is refused with the field named. */
class OciConfigTest {
    @TempDir
    Path bundle;

    /** What `jbox-runc spec` writes, for a rootfs that exists. */
    ObjectNode spec() throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        return (ObjectNode) Json.MAPPER.readTree(DefaultSpec.JSON);
    }

    OciConfig read(Consumer<ObjectNode> change) throws Exception {
        ObjectNode c = spec();
        change.accept(c);
        Files.write(bundle.resolve("config.json"), Json.MAPPER.writeValueAsBytes(c));
        return OciConfig.read(bundle);
    }

    String refusal(Consumer<ObjectNode> change) {
        OciException e = assertThrows(OciException.class, () -> read(change));
        return e.getMessage();
    }

    @Test
    void theDefaultSpecReadsBack() throws Exception {
        OciConfig c = read(x -> {});
        assertEquals(bundle.resolve("rootfs"), c.rootfs());
        assertEquals(List.of("sh"), c.process().args());
        assertTrue(c.newNamespace("mount") && c.newNamespace("pid") && c.newNamespace("network"));
        assertTrue(c.mounts().stream().anyMatch(m -> m.destination().equals("/proc") && m.type().equals("proc")));
        assertFalse(c.maskedPaths().isEmpty(), "runc's spec masks kernel paths");
    }

    /** A capability jbox's own process does not hold cannot be granted: a warning, and the container runs without it (the spec). */
    @Test
    void aCapabilityJboxDoesNotHoldIsAWarningAndLeftOut() throws Exception {
        long held = jbox.sys.Sys.capgetPermitted();
        String lacking = jbox.linux.Capabilities.names(jbox.linux.Capabilities.ALL & ~held).stream().findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(lacking != null, "this process holds every capability (a root with all of them)");
        ObjectNode c = spec();
        ((ArrayNode) c.path("process").path("capabilities").path("bounding")).add(lacking);
        Files.write(bundle.resolve("config.json"), Json.MAPPER.writeValueAsBytes(c));
        List<String> warned = new java.util.ArrayList<>();
        OciConfig read = OciConfig.read(bundle, warned::add);
        assertEquals(jbox.linux.Capabilities.mask(List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE")), read.process().bounding(),
                "runc's spec's three, without " + lacking);
        assertEquals(List.of("process.capabilities.bounding: " + lacking + " cannot be granted (jbox's own process does not hold it), ignored"), warned);
    }

    /** The container's mounts go in a mount namespace of its own, or one joined by path (as runc), never the host's. */
    @Test
    void theMountNamespaceIsNewOrJoinedNeverTheHosts() throws Exception {
        RuntimeLog log = new RuntimeLog(null, null, new java.io.PrintWriter(System.err, true));
        assertDoesNotThrow(() -> new OciBundle(read(x -> {}), "own", log, 0, Path.of(""), null));
        OciConfig joined = read(x -> {
            for (com.fasterxml.jackson.databind.JsonNode n : x.path("linux").path("namespaces")) {
                if (n.path("type").asText().equals("mount")) ((ObjectNode) n).put("path", "/proc/self/ns/mnt");
            }
        });
        assertFalse(joined.newNamespace("mount"));
        assertDoesNotThrow(() -> new OciBundle(joined, "joined", log, 0, Path.of(""), null));
        OciConfig host = read(x -> {
            ArrayNode ns = (ArrayNode) x.path("linux").path("namespaces");
            for (int i = ns.size() - 1; i >= 0; i--) if (ns.get(i).path("type").asText().equals("mount")) ns.remove(i);
        });
        OciException e = assertThrows(OciException.class, () -> new OciBundle(host, "host", log, 0, Path.of(""), null));
        assertTrue(e.getMessage().contains("jbox needs a mount namespace for the container"), e.getMessage());
    }

    @Test
    void mountOptionsBecomeFlagsAndData() throws Exception {
        OciConfig c = read(x -> ((ArrayNode) x.path("mounts")).addObject().put("destination", "/data").put("type", "tmpfs").put("source", "tmpfs")
                .set("options", Json.MAPPER.createArrayNode().add("nosuid").add("ro").add("rw").add("size=1m").add("rslave")));
        OciConfig.Mount m = c.mounts().stream().filter(x -> x.destination().equals("/data")).findFirst().orElseThrow();
        assertEquals(MS_NOSUID | MS_RDONLY, m.flags(), "ro and nosuid set, rw clears nothing that was set");
        assertEquals("size=1m", m.data());
        assertEquals(MS_SLAVE | MS_REC, m.propagation());
    }

    @Test
    void aMissingRootIsNamed() {
        String e = assertThrows(OciException.class, () -> {
            Files.write(bundle.resolve("config.json"), DefaultSpec.JSON.getBytes());
            OciConfig.read(bundle);
        }).getMessage();
        assertTrue(e.contains("root.path") && e.contains("does not exist"), e);
    }

    @Test
    void whatJboxCannotDoIsRefusedByField() {
        assertTrue(refusal(x -> ((ArrayNode) x.path("linux").path("namespaces")).addObject().put("type", "user"))
                .contains("linux.uidMappings: a new user namespace needs both uidMappings and gidMappings"));
        assertTrue(refusal(x -> ((ObjectNode) x.path("linux")).set("uidMappings", Json.MAPPER.createArrayNode().add(
                Json.MAPPER.createObjectNode().put("containerID", 0).put("hostID", 1000).put("size", 1)))).contains("id mappings need a user namespace"));
        assertTrue(refusal(x -> {
            ((ArrayNode) x.path("linux").path("namespaces")).addObject().put("type", "user");
            for (String f : List.of("uidMappings", "gidMappings")) {
                ((ObjectNode) x.path("linux")).putArray(f).addObject().put("containerID", 1000).put("hostID", 100000).put("size", 10);
            }
        }).contains("process.user.uid: 0 is not mapped in linux.uidMappings"));
        assertTrue(refusal(x -> ((ObjectNode) x.path("process")).put("apparmorProfile", "docker-default")).contains("process.apparmorProfile"));
        assertTrue(refusal(x -> ((ObjectNode) x.path("linux")).putObject("resources").putArray("hugepageLimits").addObject().put("pageSize", "2MB").put("limit", 1 << 21))
                .contains("linux.resources.hugepageLimits"));
        assertTrue(refusal(x -> ((ObjectNode) x.path("process")).putArray("args")).contains("process.args: empty"));
        assertTrue(refusal(x -> x.put("ociVersion", "2.0.0")).contains("ociVersion"));
        String two = refusal(x -> {
            ((ObjectNode) x.path("process")).put("cwd", "relative");
            ((ArrayNode) x.path("process").path("capabilities").path("bounding")).add("CAP_NOT_A_THING");
        });
        assertTrue(two.contains("process.cwd") && two.contains("process.capabilities.bounding"), "every problem at once: " + two);
    }

    @Test
    void zeroResourcesMeanUnset() throws Exception {
        OciConfig c = read(x -> {
            ObjectNode r = ((ObjectNode) x.path("linux")).putObject("resources");
            r.putObject("memory").put("limit", 0).put("swap", 0).put("kernel", 0);
            r.putObject("cpu").put("shares", 0).put("quota", 0).put("period", 0);
            r.putObject("pids").put("limit", 0);
        });
        assertNull(c.resources().memory());
        assertNull(c.resources().cpuQuota());
        assertNull(c.resources().pidsLimit());
    }

    @Test
    void aCpuQuotaKeepsItsPeriod() throws Exception {
        OciConfig c = read(x -> ((ObjectNode) x.path("linux")).putObject("resources").putObject("cpu").put("quota", 50_000).put("period", 200_000));
        assertEquals(50_000L, c.resources().cpuQuota());
        assertEquals(200_000L, c.resources().cpuPeriod(), "written to cpu.cfs_period_us (cpu.max) as given");
    }

    @Test
    void finerResourcesAreReadAndTheDeprecatedKernelLimitIsAWarning() throws Exception {
        ObjectNode c = spec();
        ObjectNode r = ((ObjectNode) c.path("linux")).putObject("resources");
        r.putObject("memory").put("reservation", 20 << 20).put("swappiness", 10).put("disableOOMKiller", true).put("kernelTCP", 8 << 20).put("kernel", 1 << 20);
        r.putObject("cpu").put("mems", "0").put("realtimeRuntime", 10_000).put("realtimePeriod", 1_000_000);
        ((ObjectNode) c.path("linux")).put("mountLabel", "system_u:object_r:svirt_sandbox_file_t:s0");
        Files.write(bundle.resolve("config.json"), Json.MAPPER.writeValueAsBytes(c));
        List<String> warned = new java.util.ArrayList<>();
        var res = OciConfig.read(bundle, warned::add).resources();
        assertEquals(List.of(20L << 20, 10L, 8L << 20), List.of(res.memoryReservation(), res.memorySwappiness(), res.kernelMemoryTcp()));
        assertEquals(Boolean.TRUE, res.oomKillDisable());
        assertEquals("0", res.cpusetMems());
        assertEquals(List.of(10_000L, 1_000_000L), List.of(res.cpuRealtimeRuntime(), res.cpuRealtimePeriod()));
        assertTrue(warned.stream().anyMatch(w -> w.startsWith("linux.resources.memory.kernel: kernel memory limits are deprecated and ignored")), warned.toString());
        if (!Files.exists(java.nio.file.Path.of("/sys/fs/selinux/enforce"))) {
            assertTrue(warned.stream().anyMatch(w -> w.startsWith("linux.mountLabel: this host does not enable SELinux")), warned.toString());
        }
    }

    @Test
    void deviceRulesReadAsAllowAndDenyLines() throws Exception {
        OciConfig c = read(x -> {
            ArrayNode d = ((ObjectNode) x.path("linux")).putObject("resources").putArray("devices");
            d.addObject().put("allow", false).put("access", "rwm");
            d.addObject().put("allow", true).put("type", "c").put("major", 1).put("minor", 3).put("access", "rw");
        });
        assertEquals(List.of("deny a", "allow c 1:3 rw"), c.deviceRules());
    }
}
