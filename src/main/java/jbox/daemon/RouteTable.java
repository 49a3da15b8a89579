package jbox.daemon;

import jbox.engine.Engine;

import java.util.Map;
import java.util.function.Consumer;

/** The whole Docker Engine API jbox serves: every group of routes on one router, for the daemon and for a command without one. */
final class RouteTable {
    private RouteTable() {}

    static Router of(Engine engine, Supervisor supervisor, Map<String, Object> facts, Consumer<String> trace) {
        Router router = new Router(trace);
        new SystemRoutes(engine, facts).register(router);
        new ContainerRoutes(supervisor).register(router);
        new ExecRoutes(engine, new Execs(engine)).register(router);
        new ImageRoutes(engine).register(router);
        new BuildRoutes(engine).register(router);
        new VolumeRoutes(engine).register(router);
        new NetworkRoutes(engine).register(router);
        new EventRoutes(engine).register(router);
        new ArchiveRoutes(engine).register(router);
        return router;
    }
}
