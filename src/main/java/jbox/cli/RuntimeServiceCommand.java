package jbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Internal: answers jbox-runc's quick commands for a few seconds (see {@link RuntimeService}). */
@Command(name = "_runtime-service", hidden = true)
final class RuntimeServiceCommand implements Callable<Integer> {
    @Option(names = "--socket", required = true, description = "Where to listen") Path socket;

    @Override
    public Integer call() throws Exception { return RuntimeService.serve(socket); }
}
