package jbox.it;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** docker's management forms (image ls, container rm, ...) and wait and restart, as people type them. */
class DockerHabitsTest extends RealEngineTest {
    @Test
    void imageAndContainerGroupsAreTheSameCommands() throws Exception {
        assertEquals(jbox.run("images").out(), jbox.run("image", "ls").out());
        var made = jbox.run("container", "create", "--name", "habit", "busybox", "sh", "-c", "exit 0");
        assertEquals(0, made.code(), made.all());
        assertEquals(jbox.run("ps", "-aq").out(), jbox.run("container", "ls", "-aq").out()); // (not the CREATED column: it moves on)
        String ls = jbox.run("container", "ls", "-a").out();
        assertTrue(ls.startsWith("CONTAINER ID") && ls.contains("habit"), ls);

        // the same name for an image and a container: each group's inspect looks only at its own kind
        assertEquals(0, jbox.run("tag", "busybox", "habit").code());
        assertEquals("sh -c exit 0\n", jbox.run("container", "inspect", "-f", "{{.Path}} {{.Args}}", "habit").out().replace("[", "").replace("]", ""));
        String imageId = jbox.run("image", "inspect", "-f", "{{.Id}}", "habit").out().trim();
        assertEquals(jbox.run("image", "inspect", "-f", "{{.Id}}", "busybox").out().trim(), imageId);
        var none = jbox.run("image", "inspect", "no-such-image");
        assertEquals(1, none.code(), "as docker image inspect exits for a missing name");
        assertTrue(none.err().contains("no-such-image"), none.err());

        // after the image, everything is the container's command, -c included
        var run = jbox.run("container", "run", "--rm", "busybox", "sh", "-c", "echo from a group");
        assertEquals("from a group\n", run.out(), run.all());
        assertEquals("habit\n", jbox.run("container", "rm", "habit").out());
        assertEquals(0, jbox.run("image", "rm", "habit").code());
        assertEquals("", jbox.run("container", "ls", "-aq").out());
    }

    @Test
    void containerPruneRemovesStoppedContainersOnly() throws Exception {
        assertEquals(0, jbox.run("run", "--name", "done1", "busybox", "sh", "-c", "head -c 5000 /dev/zero > /five-k").code());
        assertEquals(0, jbox.run("create", "--name", "never-started", "busybox", "true").code());
        assertEquals(0, jbox.run("run", "-d", "--name", "alive", "busybox", "sleep", "60").code());
        String done = jbox.run("inspect", "-f", "{{.Id}}", "done1").out().trim(), never = jbox.run("inspect", "-f", "{{.Id}}", "never-started").out().trim();
        var prune = jbox.run("container", "prune", "-f");
        assertEquals(0, prune.code(), prune.all());
        assertTrue(prune.out().startsWith("Deleted Containers:\n") && prune.out().contains(done) && prune.out().contains(never), prune.out());
        assertTrue(prune.out().endsWith("Total reclaimed space: 5kB\n"), "the 5000 bytes the container wrote: " + prune.out());
        String left = jbox.run("ps", "-a").out();
        assertEquals(2, left.lines().count(), "only the running container is left: " + left);
        assertTrue(left.contains("alive"), left);
        jbox.run("rm", "-f", "alive");
        if (JboxDaemon.dockerCliInstalled()) {
            try (JboxDaemon d = new JboxDaemon(jbox)) {
                assertEquals(0, d.docker("create", "--name", "via-docker", "busybox", "true").code());
                var dp = d.docker("container", "prune", "-f");
                assertEquals(0, dp.code(), dp.all());
                assertTrue(dp.out().contains("Deleted Containers:") && dp.out().contains("Total reclaimed space: 0B"), dp.out());
                assertEquals("", d.docker("ps", "-aq").out());
            }
        }
    }

    @Test
    void waitPrintsTheExitCodeAndRestartStartsAgain() throws Exception {
        var d = jbox.run("run", "-d", "--name", "waited", "busybox", "sh", "-c", "sleep 0.5; exit 3");
        assertEquals(0, d.code(), d.all());
        var w = jbox.run("wait", "waited");
        assertEquals(0, w.code(), w.all());
        assertEquals("3\n", w.out(), "docker wait prints the exit code and itself exits 0");

        assertEquals(0, jbox.run("run", "-d", "--name", "again", "busybox", "sleep", "60").code());
        String before = jbox.run("inspect", "-f", "{{.State.Pid}}", "again").out().trim();
        var r = jbox.run("restart", "-t", "1", "again");
        assertEquals(0, r.code(), r.all());
        assertEquals("again\n", r.out());
        assertEquals("true\n", jbox.run("inspect", "-f", "{{.State.Running}}", "again").out());
        assertNotEquals(before, jbox.run("inspect", "-f", "{{.State.Pid}}", "again").out().trim(), "a new first process");
        assertEquals(0, jbox.run("restart", "waited").code(), "an exited container can be restarted too");
        assertEquals("3\n", jbox.run("wait", "waited").out());
        var missing = jbox.run("wait", "nobody");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("No such container: nobody"), missing.err());
        jbox.run("rm", "-f", "again", "waited");
    }
}
