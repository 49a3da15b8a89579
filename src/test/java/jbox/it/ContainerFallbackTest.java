package jbox.it;

/** The /proc-dependent container tests with /proc mounted the way kernels without procfs's pidns option need. */
class ContainerFallbackTest extends ProcMountedTests {
    @Override
    String procMode() { return "fallback"; }
}
