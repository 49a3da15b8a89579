package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.EngineException;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** Internal: the parent of one detached container (see {@link Detached}). Output goes to container.log. */
@Command(name = "_monitor", hidden = true)
final class MonitorCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() {
        Engine engine = Engine.open();
        ContainerState c = engine.inspect(id);
        String log = engine.containers().dirOf(c.id()).resolve("container.log").toString();
        int logFd = Sys.open(log, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_APPEND | Linux.O_CLOEXEC, 0640);
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        Engine.Owned owned;
        try {
            owned = engine.start(c.id(), new LaunchSpec.Stdio(devNull, logFd, logFd));
        } catch (EngineException e) {
            return e.exitCode(); // recorded in the state for the waiting CLI
        }
        if (c.tty()) {
            Thread copy = new Thread(() -> {
                byte[] buf = new byte[8192];
                long n;
                while ((n = Sys.libc().read(owned.ptyMaster(), buf, buf.length)) > 0) Sys.libc().write(logFd, buf, n);
            }, "jbox-tty-log");
            copy.setDaemon(true);
            copy.start();
        }
        return engine.waitFor(owned).code();
    }
}
