package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;
import org.junit.jupiter.api.Test;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;

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
            // the check passes once the file exists: starting (its failures in the start period do not count), then healthy
            assertEquals(0, j.run("run", "-d", "--name", "web", "--health-cmd", "cat /tmp/ready", "--health-interval", "200ms",
                    "--health-retries", "2", "--health-start-period", "10m", "busybox", "sleep", "1000").code());
            waitFor(() -> health(j, "web").path("Log").size() >= 3, "three failed checks");
            assertTrue(j.run("ps").out().contains("(health: starting)"), j.run("ps").out());
            assertEquals(0, health(j, "web").path("FailingStreak").asInt(), "failures in the start period do not count");
            assertEquals(0, j.run("exec", "web", "sh", "-c", "echo ok > /tmp/ready").code());
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

    /** An image's HEALTHCHECK (built here, as one pulled would carry it) runs unless turned off; flags override it field by field. */
    @Test
    void theImagesHealthcheckRunsUnlessTurnedOff() throws Exception {
        java.nio.file.Path ctx = java.nio.file.Files.createDirectories(jbox.root.resolve("ctx-health"));
        java.nio.file.Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nHEALTHCHECK --interval=200ms --retries=1 CMD test -f /tmp/ready\nCMD [\"sleep\", \"1000\"]\n");
        assertEquals(0, jbox.run("build", "-q", "-t", "checked", ctx.toString()).code());
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "img", "checked").code());
            assertEquals(0, j.run("exec", "img", "touch", "/tmp/ready").code());
            waitFor(() -> "healthy".equals(health(j, "img").path("Status").asText()), "healthy by the image's own check");
            assertEquals(0, j.run("exec", "img", "rm", "/tmp/ready").code());
            waitFor(() -> "unhealthy".equals(health(j, "img").path("Status").asText()), "unhealthy after its one retry");

            assertEquals(0, j.run("run", "-d", "--name", "off", "--no-healthcheck", "checked").code());
            assertFalse(Json.MAPPER.readTree(j.run("inspect", "-f", "{{json .State}}", "off").out()).has("Health"), "--no-healthcheck: no check, no health state");
            assertTrue(j.run("ps").out().lines().filter(l -> l.contains(" off")).noneMatch(l -> l.contains("health")), j.run("ps").out());

            assertEquals(0, j.run("run", "-d", "--name", "slower", "--health-interval", "5s", "checked").code());
            JsonNode hc = Json.MAPPER.readTree(j.run("inspect", "-f", "{{json .Config.Healthcheck}}", "slower").out());
            assertEquals("test -f /tmp/ready", hc.path("Test").get(1).asText(), "the image's test");
            assertEquals(5_000_000_000L, hc.path("Interval").asLong(), "the flag's interval");
            assertEquals(1, hc.path("Retries").asInt(), "the image's retries");
            j.run("rm", "-f", "img", "off", "slower");
        }
        jbox.run("rmi", "checked");
    }

    @Test
    void theDockerCliHealthFlagsWork() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            assertEquals(0, d.docker("run", "-d", "--name", "dh", "--health-cmd", "true", "--health-interval", "200ms", "busybox", "sleep", "1000").code());
            waitFor(() -> d.docker("inspect", "-f", "{{.State.Health.Status}}", "dh").out().trim().equals("healthy"), "healthy via docker");
            assertTrue(d.docker("ps").out().contains("(healthy)"), d.docker("ps").out());
            d.docker("rm", "-f", "dh");
        }
    }
}
