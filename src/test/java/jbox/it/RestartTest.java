package jbox.it;

import jbox.sys.Processes;
import jbox.sys.Sys;
import org.junit.jupiter.api.Test;

import static jbox.it.Eventually.waitFor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Restart policies, carried out by a real jbox daemon: on-failure:N restarts exactly N times,
 * always restarts until a user stops it, and always / unless-stopped containers come back when the
 * daemon itself restarts (unless a user stopped them).
 */
class RestartTest extends RealEngineTest {
    private static int restarts(Jbox j, String name) throws Exception {
        return Integer.parseInt(j.run("inspect", "-f", "{{.RestartCount}}", name).out().trim());
    }

    /*
     * That something did not happen is shown against a control: a container whose policy does
     * restart it, started after the one under test, with the same back-off (100 ms, doubling). Once
     * the control has been restarted more often than the other would have needed, its restart
     * would have happened.
     */

    @Test
    void onFailureRestartsExactlyNTimes() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo attempt; exit 1").code());
            assertEquals(0, j.run("run", "-d", "--name", "control", "--restart", "always", "busybox", "sh", "-c", "exit 1").code());
            waitFor(() -> restarts(j, "flaky") == 3 && j.run("inspect", "-f", "{{.State.Status}}", "flaky").out().trim().equals("exited"), "three restarts");
            waitFor(() -> restarts(j, "control") >= 4, "the control's fourth restart");
            assertEquals(3, restarts(j, "flaky"), "no fourth restart, which the back-off would have allowed by now");
            assertEquals(4, j.run("logs", "flaky").out().lines().filter("attempt"::equals).count(), "the first run and three restarts");
            assertTrue(j.run("inspect", "-f", "{{json .HostConfig.RestartPolicy}}", "flaky").out().contains("\"MaximumRetryCount\":3"));
            j.run("rm", "-f", "flaky", "control");

            assertEquals(0, j.run("run", "-d", "--name", "fine", "--restart", "on-failure", "busybox", "true").code());
            assertEquals(0, j.run("run", "-d", "--name", "control", "--restart", "on-failure", "busybox", "sh", "-c", "exit 1").code());
            waitFor(() -> restarts(j, "control") >= 1, "the control's restart after its failure");
            assertEquals(0, restarts(j, "fine"), "exit 0 is not a failure");
            assertEquals("exited\n", j.run("inspect", "-f", "{{.State.Status}}", "fine").out());
            j.run("rm", "-f", "fine", "control");

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
            int count = restarts(j, "loop");
            assertEquals(0, j.run("run", "-d", "--name", "control", "--restart", "always", "busybox", "true").code());
            waitFor(() -> restarts(j, "control") > count, "the control's restarts to pass the loop's count");
            assertEquals(count, restarts(j, "loop"), "a user's stop leaves it stopped");
            assertEquals("exited\n", j.run("inspect", "-f", "{{.State.Status}}", "loop").out());
            j.run("rm", "-f", "loop", "control");
        }
    }

    /** Between an exit and its restart (the back-off grows: 100 ms, 200 ms, ...) ps and inspect say Restarting, as docker's do. */
    @Test
    void aContainerWaitingForItsRestartShowsAsRestarting() throws Exception {
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            Jbox j = d.client;
            assertEquals(0, j.run("run", "-d", "--name", "crashy", "--restart", "always", "busybox", "sh", "-c", "exit 7").code());
            waitFor(() -> Integer.parseInt(j.run("inspect", "-f", "{{.RestartCount}}", "crashy").out().trim()) >= 4, "four restarts");
            // from here each wait is at least 1.6 s, and each one is a chance to see it (a busy machine may miss one)
            waitFor(() -> j.run("inspect", "-f", "{{.State.Status}} {{.State.Restarting}}", "crashy").out().equals("restarting true\n"), "restarting state");
            waitFor(() -> j.run("ps", "-a").out().lines().anyMatch(l -> l.contains("crashy") && l.contains("Restarting (7)")), "ps to say Restarting (7)");
            assertEquals(0, j.run("stop", "-t", "1", "crashy").code());
            assertEquals("exited false\n", j.run("inspect", "-f", "{{.State.Status}} {{.State.Restarting}}", "crashy").out(), "a user's stop ends the wait");
            int count = restarts(j, "crashy");
            assertEquals(0, j.run("run", "-d", "--name", "control", "--restart", "always", "busybox", "sh", "-c", "exit 7").code());
            waitFor(30_000, () -> restarts(j, "control") > count, "the control's restarts to pass crashy's count");
            assertEquals(count, restarts(j, "crashy"), "and the pending restart does not happen");
            j.run("rm", "-f", "crashy", "control");
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
        // the container ends when the test says so (a file in a bind mount), not after a time a busy machine may exceed
        java.nio.file.Path control = java.nio.file.Files.createDirectories(jbox.root.resolve("control"));
        JboxDaemon first = new JboxDaemon(jbox);
        boolean killed = false;
        try {
            assertEquals(0, first.client.run("run", "-d", "--name", "survivor", "--restart", "always", "-v", control + ":/ctl", "busybox", "sh", "-c",
                    "until [ -e /ctl/end ]; do sleep 0.1; done").code());
            int containerPid = Integer.parseInt(first.client.run("inspect", "-f", "{{.State.Pid}}", "survivor").out().trim());
            assertTrue(containerPid > 1, "it runs: " + containerPid);
            long containerStart = Processes.startTime(containerPid);
            int[] pids = first.pids();
            Sys.kill(pids[1], 9); // the keeper first, so it cannot start a new server
            Sys.kill(pids[0], 9);
            killed = true;
            assertTrue(first.keeper.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the keeper ends (a thread in a slow fsync delays a kill)");
            java.nio.file.Files.deleteIfExists(first.socket);
            java.nio.file.Files.createFile(control.resolve("end"));
            assertTrue(Processes.awaitExit(containerPid, containerStart, 60_000), "the container ends while no daemon runs");
        } finally {
            if (!killed) first.close();
        }
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            waitFor(() -> Integer.parseInt(d.client.run("inspect", "-f", "{{.RestartCount}}", "survivor").out().trim()) >= 1, "started again by the new daemon");
            d.client.run("rm", "-f", "survivor");
        }
    }

    @Test
    void theDockerCliSetsThePolicy() throws Exception {
        Requires.that(JboxDaemon.dockerCliInstalled(), "the docker CLI is installed by ./run-tests");
        try (JboxDaemon d = new JboxDaemon(jbox)) {
            assertEquals(0, d.docker("run", "-d", "--name", "docker-flaky", "--restart", "on-failure:2", "busybox", "false").code());
            waitFor(() -> d.docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "docker-flaky").out().trim().equals("2 exited"), "two restarts");
            assertEquals("on-failure\n", d.docker("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "docker-flaky").out());
            d.docker("rm", "docker-flaky");
        }
    }
}
