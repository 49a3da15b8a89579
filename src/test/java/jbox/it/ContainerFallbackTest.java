package jbox.it;

/** The same container tests with /proc mounted the way kernels without procfs's pidns option need. */
class ContainerFallbackTest extends ContainerTest {
    @Override
    String procMode() { return "fallback"; }
}
