package jbox.cli;

import jbox.daemon.Monitor;
import jbox.engine.Engine;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Internal: the parent of the store's background containers when no daemon runs (see {@link Detached}). */
@Command(name = "_monitor", hidden = true)
final class MonitorCommand implements Callable<Integer> {
    @Option(names = "--ready-fd", description = "Descriptor to write \"ready\" to, then close, once it listens") int readyFd = -1;

    @Override
    public Integer call() throws Exception {
        return Monitor.serve(Engine.open(), () -> {
            if (readyFd < 0) return;
            byte[] ready = "ready\n".getBytes(StandardCharsets.US_ASCII);
            Sys.writeAll(readyFd, ready, ready.length);
            Sys.close(readyFd);
        });
    }
}
