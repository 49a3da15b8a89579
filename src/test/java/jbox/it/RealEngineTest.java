package jbox.it;

import jbox.io.AtomicFiles;
import jbox.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests that drive the real launcher as root against a private jbox root with busybox pulled;
 * the root and everything in it are removed afterwards.
 */
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealEngineTest {
    Jbox jbox;
    private MachineLock machine;

    /** Settings of the class (JBOX_PROC, JBOX_CGROUP), before anything runs. */
    void configure(Jbox j) { }

    @BeforeAll
    void createRoot() throws Exception {
        Requires.that(Sys.isRoot(), "containers need root; run the tests with sudo ./run-tests");
        machine = MachineLock.take(getClass());
        assertTrue(Files.isRegularFile(Jbox.HOME.resolve("images/oci/index.json")), "bundled images missing: run ./scripts/setup first");
        jbox = new Jbox(Files.createTempDirectory(Jbox.HOME.resolve("target"), "it-root-"));
        configure(jbox);
        var pull = jbox.run("pull", "busybox");
        assertEquals(0, pull.code(), pull.all());
    }

    @AfterAll
    void removeRoot() throws Exception {
        try (MachineLock ignored = machine) {
            if (jbox != null) removeWhatThisRootHolds();
        }
    }

    private void removeWhatThisRootHolds() throws Exception {
        for (String id : jbox.containerDirs()) jbox.run("rm", "-f", id);
        for (String image : new String[]{"busybox", "hello", "dyn"}) jbox.run("rmi", image);
        jbox.run("network", "prune", "-f");
        assertEquals(java.util.List.of(), NetworkLeftovers.claimsOf(jbox.root), "no address is held for this root's containers");
        assertEquals(java.util.List.of(), NetworkLeftovers.linksOf(jbox.root), "no bridge or veth of this root's is left");
        AtomicFiles.deleteTree(jbox.root);
    }
}
