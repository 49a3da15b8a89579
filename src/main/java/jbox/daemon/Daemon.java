package jbox.daemon;

import jbox.engine.Engine;
import jbox.sys.Places;
import jbox.sys.Failure;
import jbox.runtime.ContainerState;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import sun.misc.Signal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `jbox daemon` runs as two processes:
 *
 * <pre>
 *   keeper (jbox daemon, then jbox-keeper)  child subreaper; starts the server, and starts it again if it dies
 *     └─ server (jbox _daemon-server)       serves the API; parent of the containers it starts
 *          └─ containers ...
 * </pre>
 *
 * Only a process's parent learns its exit status. If the server is killed (kill -9, a crash),
 * its containers keep running and the kernel hands them to the nearest subreaper ancestor: the
 * keeper, which records their exit codes when they end. The new server finds them by pid and
 * start time and goes on logging their output. The keeper does nothing else, so there is no
 * per-container helper process (as conmon or containerd-shim are). It is a small C program
 * (src/main/c/keeper.c) that `jbox daemon` execs once its checks pass, keeping its pid: a JVM
 * only to wait would cost tens of megabytes for the daemon's whole life.
 */
public final class Daemon {
    private Daemon() {}

    /** `jbox daemon`: checks that it may serve on socket, then becomes the keeper (it returns only by throwing). */
    public static int keep(Path socket, String group, boolean trace, List<String> self, List<String> env) {
        requireRoot();
        if (answers(socket)) {
            throw new Failure("another jbox daemon is already serving unix://" + socket, "one daemon per socket",
                    "use that one, stop it first, or give this one another socket with -H unix:///PATH");
        }
        try {
            Files.createDirectories(socket.getParent());
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot make " + socket.getParent());
        }
        Path keeper = jbox.sys.NativeHelper.find("jbox-keeper", "the daemon's first process, which stays the parent of its containers");
        List<String> argv = new ArrayList<>(List.of(keeper.toString(), socket.resolveSibling("jbox.pid").toString(), socket.toString(), String.valueOf(self.size())));
        argv.addAll(self);
        argv.addAll(List.of("_daemon-server", "-H", "unix://" + socket, "--group", group));
        if (trace) argv.add("--trace");
        List<String> keeperEnv = new ArrayList<>(env);
        keeperEnv.add("JBOX_KEEPER_PID=" + Sys.getpid()); // execve keeps the pid
        try (Spawn s = new Spawn(keeper.toString(), argv, keeperEnv)) {
            s.exec();
        }
        throw new IllegalStateException("unreachable: execve returned");
    }

    /** `_inherited-exit PID STATUS...`: the keeper's children that ended, containers of a server that died. */
    public static void recordInherited(List<Integer> pidsAndStatuses) {
        Engine engine = Engine.open();
        for (int i = 0; i + 1 < pidsAndStatuses.size(); i += 2) {
            engine.lifecycle().recordInheritedExit(pidsAndStatuses.get(i), pidsAndStatuses.get(i + 1));
        }
    }

    /** `_daemon-stop-left SERVER KEEPER`: after a server that died before it stopped its containers. */
    public static void stopLeft(int server, int keeper) {
        Engine engine = Engine.open();
        stopContainers(engine, server, keeper);
        engine.housekeeping().holdDefaultBridge(false); // a server that died early never let it go
    }

    /** The server: returns when it was asked to stop. */
    public static int serve(Path socket, String group, boolean trace) {
        requireRoot();
        Engine engine = Engine.open();
        // Without root the socket is the user's alone (in a 0700 run directory); host groups mean nothing in its user namespace.
        int gid = Places.rootless() ? -1 : SocketGroup.ensure(group);
        int me = Sys.getpid();
        String keeperEnv = System.getenv("JBOX_KEEPER_PID");
        int keeper = keeperEnv == null ? me : Integer.parseInt(keeperEnv);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("Mode", "daemon");
        facts.put("Pid", me);
        facts.put("KeeperPid", keeper);
        facts.put("Socket", "unix://" + socket);
        // Signals are handled before the socket exists: one arriving while the server starts up closes it
        // as soon as it is made, and nothing (socket, pid file) is left behind.
        DaemonServer[] made = {null};
        boolean[] stop = {false};
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), s -> {
                synchronized (made) {
                    stop[0] = true;
                    if (made[0] != null) made[0].close();
                }
            });
        }
        // Before the socket answers: a client then never sees a half-made container, a process nobody owns,
        // or an address or port a dead container still holds.
        for (String done : engine.housekeeping().recover(keeper)) System.err.println("jbox daemon: " + done);
        for (String freed : engine.housekeeping().sweepNetworks()) System.err.println("jbox daemon: released the address of a container that is gone: " + freed);
        engine.housekeeping().holdDefaultBridge(true);
        DaemonServer server;
        try {
            server = new DaemonServer(engine, socket, null, trace ? Daemon::trace : null, facts);
            synchronized (made) {
                made[0] = server;
                if (stop[0]) server.close();
            }
            if (gid >= 0) Sys.lchown(socket.toString(), 0, gid);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(gid >= 0 ? "rw-rw----" : "rw-------"));
        } catch (IOException e) {
            throw jbox.engine.Errors.explain(e, "cannot listen on unix://" + socket);
        }
        int adopted = server.supervisor().adoptRunning(keeper);
        HealthChecks health = new HealthChecks(engine);
        server.supervisor().onStart(health::watch);
        for (ContainerState c : engine.lifecycle().list(false)) health.watch(c.id()); // found running: checked again from now
        Restarts restarts = new Restarts(engine, server.supervisor());
        int restarted = restarts.enable();
        // A signal only closes the listener; the main thread, back from serve(), stops the containers.
        System.err.println("jbox daemon: serving the Docker Engine API " + jbox.api.Versions.API + " on unix://" + socket + " (server pid " + me
                + ", keeper pid " + keeper + (adopted > 0 ? ", found " + adopted + " running containers" : "")
                + (restarted > 0 ? ", restarted " + restarted + " by their restart policy" : "") + ")");
        server.serve();
        restarts.close();
        health.close();
        stopContainers(engine, me, keeper);
        engine.housekeeping().holdDefaultBridge(false);
        System.err.println("jbox daemon: stopped");
        return 0;
    }

    /** As dockerd does when it stops: its running containers are stopped too (SIGTERM, then SIGKILL after 10 s). */
    private static void stopContainers(Engine engine, int server, int keeper) {
        List<Thread> stopping = new ArrayList<>();
        for (ContainerState c : engine.lifecycle().list(false)) {
            if (c.ownerPid() != server && c.ownerPid() != keeper) continue;
            Thread t = new Thread(() -> {
                try {
                    engine.lifecycle().stop(c.id(), null, false); // not a user's stop: restart policies bring them back with the daemon
                } catch (RuntimeException e) {
                    System.err.println("jbox daemon: cannot stop " + c.name() + ": " + e.getMessage());
                }
            });
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static synchronized void trace(String line) {
        System.err.println("jbox daemon: " + line);
    }

    private static void requireRoot() {
        if (!Sys.isRoot()) {
            throw new Failure("jbox daemon must run as root", "it creates namespaces, mounts and cgroups for every container",
                    "run it with sudo");
        }
    }

    /** Whether a daemon answers on this socket now. A socket file nobody answers is a leftover of a killed daemon. */
    public static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
