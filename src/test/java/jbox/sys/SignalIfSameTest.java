package jbox.sys;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** jbox signals a container's process only if it is still the process jbox recorded, never a later owner of its pid. */
class SignalIfSameTest {
    @Test
    void aProcessThatOnlyHasTheRecordedOnesPidIsLeftAlone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) sleeper.pid();
            long started = Processes.startTime(pid);
            assertTrue(started > 0);

            // the pid as if the recorded process had ended and the pid had gone to this one: another start time
            assertFalse(Processes.signal(pid, started - 1, Linux.SIGKILL, 10_000), "not the recorded process: nothing sent");
            assertFalse(sleeper.waitFor(200, TimeUnit.MILLISECONDS), "a process with another start time is not killed");

            assertTrue(Processes.signal(pid, started, Linux.SIGKILL, 10_000));
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the recorded process is killed");
            assertEquals(128 + 9, sleeper.exitValue(), "by SIGKILL");
            assertFalse(Processes.signal(pid, started, Linux.SIGTERM, 0), "once it has ended, nothing more is sent");
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
