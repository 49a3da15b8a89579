package jbox.engine;

import jbox.sys.Processes;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The kill jbox sends to a first process a killed jbox left at its gate: only to the process it checked. */
class KillAndWaitTest {
    @Test
    void aProcessThatOnlyHasTheKilledOnesPidIsLeftAlone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) sleeper.pid();
            long started = Processes.startTime(pid);
            assertTrue(started > 0);

            // the pid as if its first owner had ended and it had gone to this process: another start time
            Lifecycle.killAndWait(pid, started - 1);
            assertFalse(sleeper.waitFor(200, TimeUnit.MILLISECONDS), "a process with another start time is not killed");

            Lifecycle.killAndWait(pid, started);
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process that was checked is killed, and waited for");
            assertEquals(128 + 9, sleeper.exitValue(), "by SIGKILL");
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
