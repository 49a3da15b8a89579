package jbox.daemon;

import jbox.api.ApiErrors;

import jbox.api.Versions;

import jbox.sys.Failure;
import jbox.engine.Errors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Maps a method and a path to the handler that serves it, as dockerd's router does. Patterns
 * are paths with {name} parts: "/containers/{id}/start". Every handler calls the engine; this
 * table is the whole API, so reading it (or `jbox daemon --trace`) shows where a request goes.
 */
public final class Router {
    /** Serves one request; params holds the {name} parts of the path. */
    @FunctionalInterface
    public interface Handler {
        void handle(ApiRequest req, Map<String, String> params, Exchange ex) throws IOException;
    }

    private record Route(String method, List<String> parts, String pattern, String handlerName, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();
    private final Consumer<String> trace;

    /** @param trace receives one line per request when tracing, or null */
    public Router(Consumer<String> trace) { this.trace = trace; }

    /** @param handlerName how the trace names the handler, e.g. "ContainerRoutes.start" */
    public Router add(String method, String pattern, String handlerName, Handler handler) {
        routes.add(new Route(method, ApiRequest.split(pattern), pattern, handlerName, handler));
        return this;
    }

    public void dispatch(ApiRequest req, Exchange ex) throws IOException {
        long t0 = System.nanoTime();
        List<String> parts = ApiRequest.split(req.path);
        Route found = null;
        Map<String, String> params = new HashMap<>();
        boolean pathKnown = false;
        for (Route r : routes) {
            params.clear();
            if (!matches(r.parts, parts, params)) continue;
            pathKnown = true;
            if (r.method.equals(req.method) || (r.method.equals("GET") && req.method.equals("HEAD"))) {
                found = r;
                break;
            }
        }
        int status;
        if (!Versions.supported(req.version)) {
            status = 400;
            ex.json(status, ApiErrors.body(new Failure("client version " + req.version + " is not supported: this daemon speaks API "
                    + Versions.MIN_API + " to " + Versions.API, "the client is newer or older than jbox", "let the client negotiate (docker does), or use /v"
                    + Versions.API + "/")));
        } else if (found == null) {
            status = pathKnown ? 405 : 404;
            ex.json(status, ApiErrors.body(new Failure(pathKnown ? "method " + req.method + " is not allowed on " + req.path
                    : "page not found: " + req.path, "jbox does not serve this part of the Docker API", "see the API table in the README")));
        } else {
            status = run(found, req, params, ex);
        }
        if (trace != null) {
            trace.accept(String.format("%s  ->  %s  ->  %s  %d  (%.1f ms)", req, found == null ? "(no route)" : found.method + " " + found.pattern,
                    found == null ? "-" : found.handlerName, status, (System.nanoTime() - t0) / 1e6));
        }
    }

    private static int run(Route r, ApiRequest req, Map<String, String> params, Exchange ex) throws IOException {
        try {
            r.handler.handle(req, params, ex);
            return ex.status();
        } catch (IOException e) {
            // Once answering has begun, an I/O error is the connection breaking: nobody is left to answer.
            // Before that it is the handler's own work failing (a full disk, say), answered as any failure.
            if (ex.status() != 0) throw e;
            Failure failure = Errors.explain(e, req.method + " " + req.path);
            if (System.getenv("JBOX_DEBUG") != null) e.printStackTrace();
            ex.json(failure.httpStatus(), ApiErrors.body(failure));
            return failure.httpStatus();
        } catch (Throwable t) {
            Failure e = Errors.explain(t, req.method + " " + req.path);
            if (System.getenv("JBOX_DEBUG") != null) t.printStackTrace();
            try {
                ex.json(e.httpStatus(), ApiErrors.body(e));
            } catch (IllegalStateException alreadyAnswered) {
                // the handler had started a stream; the client sees it end early
            }
            return e.httpStatus();
        }
    }

    /** {name} matches one path segment; {name*} one or more (image names have slashes: a/b/c:tag). */
    private static boolean matches(List<String> pattern, List<String> path, Map<String, String> params) {
        int greedy = -1;
        for (int i = 0; i < pattern.size(); i++) if (pattern.get(i).endsWith("*}")) greedy = i;
        int extra = path.size() - pattern.size();
        if (greedy < 0 ? extra != 0 : extra < 0) return false;
        int j = 0;
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (i == greedy) {
                String joined = String.join("/", path.subList(j, j + extra + 1));
                if (joined.isEmpty()) return false;
                params.put(p.substring(1, p.length() - 2), ApiRequest.decodeSegment(joined));
                j += extra + 1;
            } else if (p.startsWith("{") && p.endsWith("}")) {
                if (path.get(j).isEmpty()) return false;
                params.put(p.substring(1, p.length() - 1), ApiRequest.decodeSegment(path.get(j++)));
            } else if (!p.equals(path.get(j++))) {
                return false;
            }
        }
        return true;
    }
}
