package jbox.it;

import jbox.sys.Sys;
import org.junit.jupiter.api.Test;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Restart policies, carried out by a real jbox daemon: on-failure:N restarts exactly N times,
 * always restarts until a user stops it, and always / unless-stopped containers come back when the
 * daemon itself restarts (unless a user stopped them).
 */
class RestartTest extends RealEngineTest {
    @Test
    void onFailureRestartsExactlyNTimes() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo attempt; exit 1").code());
            waitFor(() -> j.run("inspect", "-f", "{{.RestartCount}}", "flaky").out().trim().equals("3")
                    && j.run("inspect", "-f", "{{.State.Status}}", "flaky").out().trim().equals("exited"), "three restarts");
            Thread.sleep(1500); // the back-off would have allowed a fourth by now
            assertEquals("3\n", j.run("inspect", "-f", "{{.RestartCount}}", "flaky").out());
            assertEquals(4, j.run("logs", "flaky").out().lines().filter("attempt"::equals).count(), "the first run and three restarts");
            assertTrue(j.run("inspect", "-f", "{{json .HostConfig.RestartPolicy}}", "flaky").out().contains("\"MaximumRetryCount\":3"));
            j.run("rm", "flaky");

            assertEquals(0, j.run("run", "-d", "--name", "fine", "--restart", "on-failure", "busybox", "true").code());
            Thread.sleep(1000);
            assertEquals("0\n", j.run("inspect", "-f", "{{.RestartCount}}", "fine").out(), "exit 0 is not a failure");
            j.run("rm", "fine");

            var conflict = j.run("run", "--rm", "--restart", "always", "busybox", "true");
            assertEquals(125, conflict.code());
            assertTrue(conflict.err().contains("Conflicting options: --restart and --rm"), conflict.err());
        }
    }

    @Test
    void alwaysRestartsUntilAUserStopsIt() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "loop", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2").code());
            waitFor(() -> Integer.parseInt(j.run("inspect", "-f", "{{.RestartCount}}", "loop").out().trim()) >= 2, "restarts after clean exits");
            assertEquals(0, j.run("stop", "-t", "1", "loop").code());
            String count = j.run("inspect", "-f", "{{.RestartCount}}", "loop").out();
            Thread.sleep(1500);
            assertEquals(count, j.run("inspect", "-f", "{{.RestartCount}}", "loop").out(), "a user's stop leaves it stopped");
            assertEquals("exited\n", j.run("inspect", "-f", "{{.State.Status}}", "loop").out());
            j.run("rm", "loop");
        }
    }

    /** Between an exit and its restart (the back-off grows: 100 ms, 200 ms, ...) ps and inspect say Restarting, as docker's do. */
    @Test
    void aContainerWaitingForItsRestartShowsAsRestarting() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "crashy", "--restart", "always", "busybox", "sh", "-c", "exit 7").code());
            waitFor(() -> Integer.parseInt(j.run("inspect", "-f", "{{.RestartCount}}", "crashy").out().trim()) >= 4, "four restarts");
            // from here each wait is at least 1.6 s: long enough to see
            waitFor(() -> j.run("inspect", "-f", "{{.State.Status}} {{.State.Restarting}}", "crashy").out().equals("restarting true\n"), "restarting state");
            String ps = j.run("ps", "-a").out();
            assertTrue(ps.lines().anyMatch(l -> l.contains("crashy") && l.contains("Restarting (7)")), ps);
            assertEquals(0, j.run("stop", "-t", "1", "crashy").code());
            assertEquals("exited false\n", j.run("inspect", "-f", "{{.State.Status}} {{.State.Restarting}}", "crashy").out(), "a user's stop ends the wait");
            String count = j.run("inspect", "-f", "{{.RestartCount}}", "crashy").out();
            Thread.sleep(2500);
            assertEquals(count, j.run("inspect", "-f", "{{.RestartCount}}", "crashy").out(), "and the pending restart does not happen");
            j.run("rm", "crashy");
        }
    }

    @Test
    void policiesBringContainersBackWhenTheDaemonRestarts() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "keep-always", "--restart", "always", "busybox", "sleep", "1000").code());
            assertEquals(0, j.run("run", "-d", "--name", "keep-unless", "--restart", "unless-stopped", "busybox", "sleep", "1000").code());
            assertEquals(0, j.run("run", "-d", "--name", "stopped-unless", "--restart", "unless-stopped", "busybox", "sleep", "1000").code());
            assertEquals(0, j.run("stop", "-t", "1", "stopped-unless").code());
        } // SIGTERM: the daemon stops its containers
        String after = jbox.run("ps").out();
        assertEquals(1, after.lines().count(), "the daemon stopped them: " + after);
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            waitFor(() -> j.run("ps").out().lines().skip(1).map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList()
                    .equals(java.util.List.of("keep-always", "keep-unless")), "always and unless-stopped back, the one a user stopped not");
            assertTrue(java.nio.file.Files.readString(d.log).contains("restarted 2 by their restart policy"), java.nio.file.Files.readString(d.log));
            j.run("rm", "-f", "keep-always", "keep-unless", "stopped-unless");
        }
    }

    @Test
    void alwaysContainersReturnAfterTheDaemonIsKilledAndStartedAgain() throws Exception {
        JboxDaemon first = new JboxDaemon(jbox);
        assertEquals(0, first.client.run("run", "-d", "--name", "survivor", "--restart", "always", "busybox", "sh", "-c", "sleep 1").code());
        int[] pids = first.pids();
        Sys.kill(pids[1], 9); // the keeper first, so it cannot start a new server
        Sys.kill(pids[0], 9);
        assertTrue(first.keeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        java.nio.file.Files.deleteIfExists(first.socket);
        Thread.sleep(2000); // the container ends while no daemon runs
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            waitFor(() -> Integer.parseInt(d.client.run("inspect", "-f", "{{.RestartCount}}", "survivor").out().trim()) >= 1
                    || d.client.run("inspect", "-f", "{{.State.Status}}", "survivor").out().trim().equals("running"), "started again by the new daemon");
            d.client.run("rm", "-f", "survivor");
        }
    }

    @Test
    void theDockerCliSetsThePolicy() throws Exception {
        assumeTrue(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            assertEquals(0, d.docker("run", "-d", "--name", "docker-flaky", "--restart", "on-failure:2", "busybox", "false").code());
            waitFor(() -> d.docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "docker-flaky").out().trim().equals("2 exited"), "two restarts");
            assertEquals("on-failure\n", d.docker("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "docker-flaky").out());
            d.docker("rm", "docker-flaky");
        }
    }
}
