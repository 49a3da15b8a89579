package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.image.Json;
import org.junit.jupiter.api.Test;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Health checks run by a real jbox daemon inside the container: a passing check makes it healthy, a
 * failing one unhealthy after its retries, a slow one times out; ps and inspect show it.
 */
class HealthTest extends RealEngineTest {
    private static JsonNode health(Jbox j, String name) throws Exception {
        return Json.MAPPER.readTree(j.run("inspect", "-f", "{{json .State.Health}}", name).out());
    }

    @Test
    void passingAndFailingChecksShowInPsAndInspect() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            // the check passes once the container has made its file: starting, then healthy
            assertEquals(0, j.run("run", "-d", "--name", "web", "--health-cmd", "cat /tmp/ready", "--health-interval", "200ms",
                    "--health-retries", "2", "busybox", "sh", "-c", "sleep 1; echo ok > /tmp/ready; sleep 1000").code());
            assertTrue(j.run("ps").out().contains("(health: starting)"), j.run("ps").out());
            waitFor(() -> j.run("ps").out().contains("(healthy)"), "healthy");
            JsonNode h = health(j, "web");
            assertEquals("healthy", h.path("Status").asText());
            assertEquals("ok\n", h.path("Log").get(h.path("Log").size() - 1).path("Output").asText(), "the check's output is kept");

            // a check that fails turns it unhealthy after its retries in a row
            assertEquals(0, j.run("exec", "web", "rm", "/tmp/ready").code());
            waitFor(() -> j.run("ps").out().contains("(unhealthy)"), "unhealthy");
            assertTrue(health(j, "web").path("FailingStreak").asInt() >= 2);

            assertEquals(0, j.run("run", "-d", "--name", "slow", "--health-cmd", "sleep 5", "--health-interval", "200ms", "--health-timeout", "300ms",
                    "--health-retries", "1", "busybox", "sleep", "1000").code());
            waitFor(() -> "unhealthy".equals(health(j, "slow").path("Status").asText()), "a check that times out");
            assertTrue(health(j, "slow").path("Log").get(0).path("Output").asText().contains("exceeded timeout"));
            var bad = j.run("run", "-d", "--health-cmd", "true", "--health-interval", "soon", "busybox", "true");
            assertEquals(125, bad.code());
            assertTrue(bad.err().contains("invalid duration \"soon\""), bad.err());
            j.run("rm", "-f", "web", "slow");
        }
    }

    @Test
    void theDockerCliHealthFlagsWork() throws Exception {
        assumeTrue(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            assertEquals(0, d.docker("run", "-d", "--name", "dh", "--health-cmd", "true", "--health-interval", "200ms", "busybox", "sleep", "1000").code());
            waitFor(() -> d.docker("inspect", "-f", "{{.State.Health.Status}}", "dh").out().trim().equals("healthy"), "healthy via docker");
            assertTrue(d.docker("ps").out().contains("(healthy)"), d.docker("ps").out());
            d.docker("rm", "-f", "dh");
        }
    }
}
