package jbox.cli;

import jbox.daemon.Supervisor;
import jbox.engine.Engine;
import jbox.sys.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * Internal: the parent of one detached container when no daemon runs (see {@link Detached}).
 * It supervises the container as the daemon would: logs its output and records its exit.
 */
@Command(name = "_monitor", hidden = true)
final class MonitorCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() throws InterruptedException {
        Supervisor supervisor = new Supervisor(Engine.open(), null);
        Supervisor.Waiter exit = supervisor.waiter(id, Supervisor.Condition.NEXT_EXIT);
        try {
            supervisor.start(id);
        } catch (Failure e) {
            return e.exitCode(); // recorded in the state for the waiting CLI
        }
        return exit.await();
    }
}
