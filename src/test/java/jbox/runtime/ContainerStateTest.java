package jbox.runtime;

import jbox.cgroup.Resources;
import jbox.io.Json;
import jbox.net.Networking;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A container's record: what it is and what it does, written and read back, and the flat form of older jbox versions read. */
class ContainerStateTest {
    static ContainerState sample() {
        ContainerConfig c = new ContainerConfig("0123456789abcdef0123", "web", "2026-12-05T10:00:00Z", "busybox", "sha256:aa", List.of("sh"),
                List.of("PATH=/bin"), "/", "", "0123456789ab", false, false, false, List.of("sha256:bb"), Resources.NONE, null,
                Restart.parse("on-failure:3").policyOnly(), null, new Networking("bridge", List.of(), null, List.of()), null, null, null, null, false);
        return ContainerState.created(c);
    }

    @Test
    void aRecordReadsBackAsItWasWritten() throws Exception {
        ContainerState s = sample().running(4242, 77, 4000, 66, "2026-12-05T10:00:01Z", "pidns", null);
        ContainerState back = Json.read(Json.bytes(s), ContainerState.class, "test");
        assertEquals(s, back);
        String json = new String(Json.bytes(s));
        assertTrue(json.startsWith("{\"config\":{") && json.contains("\"state\":{\"status\":\"RUNNING\""), json);
        assertFalse(json.contains("\"name\":\"web\",\"name\""), "each field once");
    }

    @Test
    void pausingAndRestartsAreStatuses() {
        ContainerState s = sample().running(4242, 77, 4000, 66, "t", "pidns", null);
        assertEquals(Status.PAUSED, s.withStatus(Status.PAUSED).status());
        assertTrue(s.withStatus(Status.PAUSED).status().hasProcess());
        ContainerState exited = s.exited(1, null, "t2", false);
        ContainerState waiting = exited.withRestart(exited.restarts().waiting());
        assertEquals(Status.RESTARTING, waiting.status());
        assertTrue(waiting.restarts().pending());
        ContainerState counted = waiting.withRestart(waiting.restarts().counted());
        assertEquals(Status.EXITED, counted.status());
        assertEquals(1, counted.restarts().count());
        assertEquals("on-failure", counted.restarts().policy());
        assertEquals(3, counted.restarts().maxRetries());
    }

    @Test
    void whatEachStatusAllows() {
        assertTrue(Status.CREATED.canStart() && Status.EXITED.canStart() && Status.RESTARTING.canStart());
        assertFalse(Status.RUNNING.canStart() || Status.PAUSED.canStart());
        assertTrue(Status.RUNNING.canPause() && !Status.PAUSED.canPause() && Status.PAUSED.canUnpause());
        assertFalse(Status.PAUSED.canExec());
        assertFalse(Status.PAUSED.canRemoveWithoutForce());
        assertEquals("stopped", Status.EXITED.oci());
        assertEquals("paused", Status.PAUSED.oci());
    }

    @Test
    void theFlatRecordOfAnOlderJboxIsRead() throws Exception {
        String old = """
                {"id":"0123456789abcdef0123","name":"old","created":"2026-01-01T00:00:00Z","image":"busybox","imageId":"sha256:aa",
                 "args":["sh"],"env":[],"workingDir":"/","user":"","hostname":"0123456789ab","tty":false,"openStdin":false,"autoRemove":false,
                 "layers":[],"status":"RUNNING","pid":4242,"pidStartTime":77,"ownerPid":4000,"ownerStartTime":66,"exitCode":0,"error":null,
                 "startedAt":"2026-01-01T00:00:01Z","finishedAt":null,"procMount":"pidns","resources":null,"paused":true,"oomKilled":false,
                 "restart":{"policy":"always","maxRetries":0,"count":2,"stoppedByUser":false,"pending":false},
                 "network":{"mode":"bridge","ports":[],"endpoint":null}}""";
        ContainerState s = Json.read(old.getBytes(), ContainerState.class, "old");
        assertEquals("old", s.name());
        assertEquals(Status.PAUSED, s.status(), "a paused running container is paused");
        assertEquals(4242, s.pid());
        assertEquals(2, s.restarts().count());
        assertEquals("always", s.restarts().policy());
        assertEquals("bridge", s.networking().mode());
    }
}
