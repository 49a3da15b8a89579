package jbox.daemon;

import jbox.api.ApiErrors;
import jbox.api.Filters;
import jbox.engine.Engine;
import jbox.net.PortSpec;
import jbox.runtime.ContainerState;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** docker ps --filter: which containers a GET /containers/json (or a prune) keeps. */
final class ContainerQuery {
    static final Set<String> KEYS = Set.of("id", "name", "label", "status", "exited", "ancestor", "network", "volume", "health",
            "before", "since", "publish", "expose", "is-task");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
    private static final Set<String> HEALTH = Set.of("starting", "healthy", "unhealthy", "none");

    private final Engine engine;
    private final Filters f;
    private final String beforeCreated, sinceCreated;

    ContainerQuery(Engine engine, Filters f) {
        this.engine = engine;
        this.f = f;
        for (String s : f.get("status")) if (!STATUSES.contains(s)) throw ApiErrors.badRequest("invalid filter 'status=" + s + "'");
        for (String h : f.get("health")) if (!HEALTH.contains(h)) throw ApiErrors.badRequest("invalid filter 'health=" + h + "'");
        for (String e : f.get("exited")) {
            try {
                Integer.parseInt(e);
            } catch (NumberFormatException x) {
                throw ApiErrors.badRequest("invalid filter 'exited=" + e + "': an exit code is a number");
            }
        }
        for (String n : f.get("name")) {
            try {
                Pattern.compile(n);
            } catch (PatternSyntaxException x) {
                throw ApiErrors.badRequest("invalid filter 'name=" + n + "': " + x.getDescription());
            }
        }
        beforeCreated = f.has("before") ? engine.lifecycle().inspect(f.get("before").get(0)).created() : null;
        sinceCreated = f.has("since") ? engine.lifecycle().inspect(f.get("since").get(0)).created() : null;
    }

    /** docker ps shows stopped containers too when a status or exit code is asked for. */
    boolean wantsAll() { return f.has("status") || f.has("exited"); }

    boolean matches(ContainerState c) {
        return f.any("id", v -> c.id().startsWith(v))
                && f.any("name", v -> Pattern.compile(v).matcher("/" + c.name()).find())
                && f.labels(c.labels())
                && f.any("status", v -> v.equals(c.status().wire()))
                && f.any("exited", v -> !c.status().hasProcess() && c.status() != jbox.runtime.Status.CREATED && c.exitCode() == Integer.parseInt(v))
                && f.any("ancestor", v -> ancestor(c, v))
                && f.any("network", v -> c.networking().mode().equals(v) || (c.endpoint() != null && c.endpoint().networkId().startsWith(v)))
                && f.any("volume", v -> c.mounts().mounts().stream().anyMatch(m -> v.equals(m.source()) || v.equals(m.target())))
                && f.any("health", v -> v.equals(health(c)))
                && (beforeCreated == null || c.created().compareTo(beforeCreated) < 0)
                && (sinceCreated == null || c.created().compareTo(sinceCreated) > 0)
                && f.any("publish", v -> ports(c, v, true))
                && f.any("expose", v -> ports(c, v, false))
                && f.any("is-task", v -> v.equals("false")); // jbox has no swarm tasks
    }

    private boolean ancestor(ContainerState c, String image) {
        if (c.image().equals(image) || c.imageId().startsWith(image) || c.imageId().startsWith("sha256:" + image)) return true;
        try {
            return engine.images().find(image).id().toString().equals(c.imageId());
        } catch (RuntimeException | java.io.IOException e) {
            return false; // no such image: nothing descends from it
        }
    }

    private String health(ContainerState c) {
        if (c.health() == null) return "none";
        jbox.runtime.Health.State h = engine.health().healthState(c.id());
        return h == null ? "starting" : h.status();
    }

    /** publish: the host's port; expose: the container's (PORT or PORT/PROTO). */
    private static boolean ports(ContainerState c, String v, boolean published) {
        String[] pp = v.split("/");
        List<PortSpec> ps = c.endpoint() != null && published ? c.endpoint().ports() : c.networking().ports();
        return ps.stream().anyMatch(p -> String.valueOf(published ? p.hostPort() : p.containerPort()).equals(pp[0])
                && (pp.length < 2 || pp[1].equals(p.proto())));
    }
}
