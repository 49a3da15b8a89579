package jbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Resources;
import jbox.engine.CreateRequest;
import jbox.io.Json;
import jbox.linux.Storage;
import jbox.net.Networking;
import jbox.net.PortSpec;
import jbox.runtime.Confinement;
import jbox.runtime.ContainerConfig;
import jbox.runtime.ContainerState;
import jbox.runtime.Health;
import jbox.runtime.LogConfig;
import jbox.runtime.Restart;
import jbox.runtime.StopRule;
import jbox.sys.Failure;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Docker's JSON both ways: what jbox's client writes, its daemon reads back the same; what it shows has Docker's shape. */
class DockerJsonTest {
    static JsonNode json(Object o) { return Json.MAPPER.valueToTree(o); }

    @Test
    void aCreateRequestSurvivesTheWire() {
        Confinement c = new Confinement(false, List.of("NET_ADMIN"), List.of("CHOWN"), null, null, null, null, List.of(), Map.of("net.ipv4.ip_forward", "1"),
                List.of(Confinement.Ulimit.parse("nofile=1024:2048")), 100, List.of("10"), "", "", "", "", 128L << 20, "");
        CreateRequest sent = new CreateRequest("busybox", "web", List.of("sh", "-c", "echo hi"), "", List.of("A=1"), "/srv", "1000:1000", "box",
                true, true, false, new Resources(64L << 20, null, 50_000L, null, null, 100L, null, List.of(), List.of()),
                new Storage(List.of(new Storage.Mount(Storage.Type.TMPFS, null, "/scratch", false, "size=1m", false, false)), true),
                Restart.parse("on-failure:3"), new Health(List.of("CMD-SHELL", "true"), 5 * Health.SECOND, Health.SECOND, 2, 0),
                new Networking("front", PortSpec.parse("8080:80"), null, List.of("web")), c, new LogConfig("json-file", 1 << 20, 3),
                Map.of("course", "jbox", "com.example.tier", "web"), new StopRule("SIGQUIT", 30), true);
        List<String> warnings = new ArrayList<>();
        CreateRequest read = CreateJson.createRequest("web", json(CreateJson.createBody(sent)), warnings);
        assertEquals(List.of(), warnings);
        assertEquals(sent.image(), read.image());
        assertEquals(sent.command(), read.command());
        assertEquals("", read.entrypoint(), "an emptied entrypoint stays emptied");
        assertEquals(sent.env(), read.env());
        assertEquals(sent.workingDir(), read.workingDir());
        assertEquals(sent.user(), read.user());
        assertEquals(sent.hostname(), read.hostname());
        assertTrue(read.tty() && read.interactive());
        assertEquals(sent.resources().memory(), read.resources().memory());
        assertEquals(sent.resources().cpuQuota(), read.resources().cpuQuota());
        assertEquals(sent.resources().pidsLimit(), read.resources().pidsLimit());
        Storage.Mount tmpfs = read.storage().mounts().get(0);
        assertEquals(Storage.Type.TMPFS, tmpfs.type());
        assertEquals("/scratch", tmpfs.target());
        assertEquals("size=1048576,mode=1777", tmpfs.options(), "as Docker's TmpfsOptions carry it: bytes, and the default mode");
        assertTrue(read.storage().readOnlyRootfs());
        assertEquals(sent.restart().flag(), read.restart().flag());
        assertEquals(sent.health(), read.health());
        assertEquals(sent.network().ports(), read.network().ports());
        assertEquals("front", read.network().mode());
        assertEquals(List.of("web"), read.network().aliases());
        assertEquals(sent.confinement(), read.confinement());
        assertEquals(sent.log(), read.log());
        assertEquals(sent.labels(), read.labels());
        assertEquals(sent.stop(), read.stop());
        assertTrue(read.init());
    }

    @Test
    void anEndpointSettingJboxCannotHonourIsRefused() {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("Image", "busybox", "HostConfig", Map.of("NetworkMode", "front")));
        body.put("NetworkingConfig", Map.of("EndpointsConfig", Map.of("front", Map.of("Aliases", List.of("db"), "Links", List.of(), "IPAMConfig", Map.of()))));
        assertEquals(List.of("db"), CreateJson.createRequest(null, json(body), new ArrayList<>()).network().aliases(), "zero-valued fields are a whole struct");
        body.put("NetworkingConfig", Map.of("EndpointsConfig", Map.of("front", Map.of("IPAMConfig", Map.of("IPv4Address", "10.0.0.9")))));
        Failure fixed = assertThrows(Failure.class, () -> CreateJson.createRequest(null, json(body), new ArrayList<>()));
        assertTrue(fixed.getMessage().contains("IPAMConfig"), fixed.getMessage());
        body.put("NetworkingConfig", Map.of("EndpointsConfig", Map.of("back", Map.of())));
        Failure other = assertThrows(Failure.class, () -> CreateJson.createRequest(null, json(body), new ArrayList<>()));
        assertTrue(other.getMessage().contains("one network"), other.getMessage());
    }

    @Test
    void anUnknownSetFieldIsRefusedAndItsZeroValueAccepted() {
        List<String> warnings = new ArrayList<>();
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("Image", "busybox", "Cmd", List.of("true")));
        body.put("NotAField", false);
        assertEquals("busybox", CreateJson.createRequest(null, json(body), warnings).image(), "a zero value is what a whole struct sends");
        body.put("NotAField", true);
        Failure e = assertThrows(Failure.class, () -> CreateJson.createRequest(null, json(body), warnings));
        assertTrue(e.getMessage().contains("unknown field \"NotAField\""), e.getMessage());
    }

    @Test
    void updateLimitsSurviveTheWire() {
        Resources r = new Resources(128L << 20, 256L << 20, 25_000L, 512L, "0", 50L, null, List.of(), List.of());
        Resources back = ResourcesJson.resources(json(ResourcesJson.updateBody(r)));
        assertEquals(r.memory(), back.memory());
        assertEquals(r.memorySwap(), back.memorySwap());
        assertEquals(r.cpuQuota(), back.cpuQuota());
        assertEquals(r.cpuShares(), back.cpuShares());
        assertEquals(r.cpusetCpus(), back.cpusetCpus());
        assertEquals(r.pidsLimit(), back.pidsLimit());
    }

    @Test
    void aContainerHasDockersShape() {
        ContainerState s = ContainerState.created(new ContainerConfig("0123456789abcdef0123456789abcdef", "web", "2026-12-05T10:00:00Z", "busybox",
                "sha256:aa", List.of("sh", "-c", "sleep 1"), List.of("PATH=/bin"), "/", "", "0123456789ab", false, false, false, List.of(),
                Resources.NONE, null, null, null, new Networking("bridge", List.of(), null, List.of()), null, null, Map.of("tier", "web"), null, false))
                .running(4242, 7, 4000, 6, "2026-12-05T10:00:01Z", "pidns", null);
        Map<String, Object> summary = ContainerJson.containerSummary(s);
        assertEquals("0123456789abcdef0123456789abcdef", summary.get("Id"));
        assertEquals(List.of("/web"), summary.get("Names"));
        assertEquals("running", summary.get("State"));
        assertTrue(String.valueOf(summary.get("Status")).startsWith("Up "), String.valueOf(summary.get("Status")));
        assertEquals("sh -c sleep 1", summary.get("Command"), "path and args joined with spaces, as dockerd does");
        JsonNode paused = json(ContainerJson.containerSummary(s.withStatus(jbox.runtime.Status.PAUSED)));
        assertEquals("paused", paused.path("State").asText());
        assertTrue(paused.path("Status").asText().endsWith("(Paused)"));
    }
}
