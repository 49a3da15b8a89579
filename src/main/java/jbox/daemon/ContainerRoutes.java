package jbox.daemon;

import jbox.engine.Lifecycle;

import jbox.api.ApiErrors;
import jbox.api.ContainerJson;
import jbox.api.CreateJson;
import jbox.api.ResourcesJson;
import jbox.api.StreamFrames;
import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.runtime.ContainerState;
import jbox.sys.Signals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /containers/...: the container half of the Docker Engine API, each route one engine call. */
final class ContainerRoutes {
    private final Engine engine;
    private final Supervisor supervisor;

    ContainerRoutes(Supervisor supervisor) {
        this.engine = supervisor.engine();
        this.supervisor = supervisor;
    }

    void register(Router r) {
        r.add("POST", "/containers/create", "ContainerRoutes.create", this::create)
                .add("GET", "/containers/json", "ContainerRoutes.list", this::list)
                .add("POST", "/containers/prune", "ContainerRoutes.prune", this::prune)
                .add("GET", "/containers/{id}/json", "ContainerRoutes.inspect", this::inspect)
                .add("POST", "/containers/{id}/start", "ContainerRoutes.start", this::start)
                .add("POST", "/containers/{id}/stop", "ContainerRoutes.stop", this::stop)
                .add("POST", "/containers/{id}/restart", "ContainerRoutes.restart", this::restart)
                .add("POST", "/containers/{id}/kill", "ContainerRoutes.kill", this::kill)
                .add("POST", "/containers/{id}/wait", "ContainerRoutes.await", this::await)
                .add("POST", "/containers/{id}/attach", "ContainerRoutes.attach", this::attach)
                .add("POST", "/containers/{id}/resize", "ContainerRoutes.resize", this::resize)
                .add("GET", "/containers/{id}/logs", "ContainerRoutes.logs", this::logs)
                .add("POST", "/containers/{id}/pause", "ContainerRoutes.pause", this::pause)
                .add("POST", "/containers/{id}/unpause", "ContainerRoutes.unpause", this::unpause)
                .add("POST", "/containers/{id}/update", "ContainerRoutes.update", this::update)
                .add("GET", "/containers/{id}/stats", "ContainerRoutes.stats", this::stats)
                .add("GET", "/containers/{id}/top", "ContainerRoutes.top", this::top)
                .add("DELETE", "/containers/{id}", "ContainerRoutes.remove", this::remove);
    }

    private void create(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<String> warnings = new ArrayList<>();
        jbox.engine.CreateRequest request = CreateJson.createRequest(req.query("name", null), req.json(), warnings);
        try {
            engine.images().find(request.image()); // as dockerd: a missing image is the client's to pull
        } catch (jbox.image.ImageNotFoundException e) {
            throw ApiErrors.notFound("No such image: " + jbox.image.Reference.parse(request.image()).familiar(), "it is not in the image store",
                    "pull it first: jbox pull " + request.image());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
        ContainerState c = engine.lifecycle().create(request, warnings::add);
        ex.json(201, Map.of("Id", c.id(), "Warnings", warnings));
    }

    private void list(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        List<Object> out = new ArrayList<>();
        ContainerQuery q = new ContainerQuery(engine, jbox.api.Filters.parse(req.query("filters", ""), ContainerQuery.KEYS));
        List<ContainerState> all = new ArrayList<>(engine.lifecycle().list(req.flag("all") || q.wantsAll()));
        all.removeIf(c -> !q.matches(c));
        all.sort((a, b) -> b.created().compareTo(a.created())); // newest first, as docker ps
        int limit = req.intQuery("limit", -1);
        if (limit > 0 && all.size() > limit) all = all.subList(0, limit);
        for (ContainerState c : all) {
            Map<String, Object> summary = ContainerJson.containerSummary(c);
            if (c.health() != null) ContainerJson.addHealth(summary, engine.health().healthState(c.id()));
            out.add(summary);
        }
        ex.json(200, out);
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ex.json(200, ContainerJson.containerInspect(engine, engine.lifecycle().inspect(p.get("id"))));
    }

    private void start(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        if (engine.lifecycle().inspect(p.get("id")).status().hasProcess()) {
            ex.empty(304);
            return;
        }
        supervisor.start(p.get("id"));
        ex.empty(204);
    }

    private void stop(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        boolean running = engine.lifecycle().inspect(p.get("id")).status().hasProcess();
        // also when it is not running: a user's stop keeps a restart policy from starting it again
        engine.lifecycle().stop(p.get("id"), req.intQuery("t"));
        ex.empty(running ? 204 : 304);
    }

    private void restart(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.lifecycle().stop(p.get("id"), req.intQuery("t"));
        supervisor.start(p.get("id"));
        engine.events().container(engine.lifecycle().inspect(p.get("id")), "restart", Map.of());
        ex.empty(204);
    }

    private void kill(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        int signal;
        try {
            signal = Signals.parse(req.query("signal", "KILL"));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
        engine.tasks().kill(p.get("id"), signal);
        ex.empty(204);
    }

    /** docker wait. The headers go out at once, so the client knows the wait has begun before it starts the container. */
    private void await(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Supervisor.Waiter waiter = supervisor.waiter(p.get("id"), Supervisor.Condition.parse(req.query("condition", null)));
        try (OutputStream out = ex.stream(200, "application/json")) {
            Map<String, Object> body = new LinkedHashMap<>();
            try {
                Integer code = waiter.awaitUnless(ex::clientGone);
                if (code == null) return; // the client went away: nobody to answer
                body.put("StatusCode", code);
                body.put("Error", null);
                jbox.engine.Lifecycle.Exit exit = waiter.exit();
                if (exit != null && exit.oomKilled()) {
                    body.put("JboxOOMKilled", true); // jbox's CLI explains it; other clients ignore it
                    body.put("JboxMemoryLimit", exit.memoryLimit());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            JsonMessages.write(out, body);
        }
    }

    private void attach(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ContainerState c = engine.lifecycle().inspect(p.get("id"));
        if (c.status().hasProcess() && !supervisor.holds(c.id())) {
            throw new Failure("cannot attach to " + c.name() + ": its output is not held by this jbox",
                    "it was started by another jbox process (started without the daemon)", "use jbox logs -f " + c.name()).httpStatus(409);
        }
        Attached a = new Attached(c.tty(), req.flag("stdout"), req.flag("stderr"));
        Supervisor.Io io = supervisor.attach(c.id(), a);
        a.connect(ex.hijack(c.tty() ? StreamFrames.RAW : StreamFrames.MULTIPLEXED));
        if (req.flag("stdin") && c.openStdin()) a.copyInput(io::writeStdin, io::closeStdin);
        a.awaitAndClose();
    }

    private void resize(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ContainerState c = engine.lifecycle().inspect(p.get("id"));
        supervisor.resize(c.id(), req.intQuery("h", 0), req.intQuery("w", 0));
        ex.empty(200);
    }

    private void logs(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        ContainerState c = engine.lifecycle().inspect(p.get("id"));
        if (!c.logging().keepsLogs()) {
            throw new jbox.sys.Failure("configured logging driver does not support reading", "container " + c.name() + " was created with --log-driver none",
                    "create it with the json-file driver (the default) to read its logs").httpStatus(501);
        }
        boolean stdout = req.flag("stdout");
        boolean stderr = req.flag("stderr");
        if (!stdout && !stderr) throw ApiErrors.badRequest("You must choose at least one stream (stdout=1 or stderr=1)");
        boolean timestamps = req.flag("timestamps");
        String tail = req.query("tail", "all");
        Path dir = engine.containers().dirOf(c.id());
        Long sinceAt = req.timeQuery("since"), untilAt = req.timeQuery("until"); // 0 is unset too, as the docker CLI sends it
        long since = sinceAt == null || sinceAt == 0 ? Long.MIN_VALUE : sinceAt;
        long until = untilAt == null || untilAt == 0 ? Long.MAX_VALUE : untilAt;
        List<JsonLog.Entry> entries = new ArrayList<>(JsonLog.read(dir));
        entries.removeIf(e -> !e.within(since, until));
        long offset = java.nio.file.Files.exists(JsonLog.current(dir)) ? java.nio.file.Files.size(JsonLog.current(dir)) : 0;
        if (!tail.equals("all")) {
            int n;
            try {
                n = Integer.parseInt(tail);
            } catch (NumberFormatException e) {
                throw ApiErrors.badRequest("invalid tail value: " + tail);
            }
            if (n >= 0 && n < entries.size()) entries = entries.subList(entries.size() - n, entries.size());
        }
        try (OutputStream out = ex.stream(200, c.tty() ? StreamFrames.RAW : StreamFrames.MULTIPLEXED)) {
            send(out, entries, c.tty(), stdout, stderr, timestamps);
            if (!req.flag("follow")) return;
            while (true) {
                ContainerState now;
                try {
                    now = engine.lifecycle().inspect(c.id());
                } catch (jbox.runtime.NoSuchContainerException e) {
                    return;
                }
                boolean running = now.status().hasProcess();
                List<JsonLog.Entry> more = new ArrayList<>();
                offset = JsonLog.readFile(JsonLog.current(dir), offset, more);
                more.removeIf(e -> !e.within(since, until));
                send(out, more, c.tty(), stdout, stderr, timestamps);
                if (!running && !supervisor.holds(c.id())) return;
                if (System.currentTimeMillis() * 1_000_000L > until) return;
                sleep(running ? 50 : 10);
            }
        }
    }

    private static void send(OutputStream out, List<JsonLog.Entry> entries, boolean tty, boolean stdout, boolean stderr, boolean timestamps)
            throws IOException {
        for (JsonLog.Entry e : entries) {
            int stream = StreamFrames.number(e.stream());
            if (stream == StreamFrames.STDOUT && !stdout || stream == StreamFrames.STDERR && !stderr) continue;
            byte[] b = ((timestamps ? e.time() + " " : "") + e.text()).getBytes(StandardCharsets.UTF_8);
            if (tty) out.write(b); else StreamFrames.write(out, stream, b, b.length);
        }
        out.flush();
    }

    private void pause(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.tasks().pause(p.get("id"));
        ex.empty(204);
    }

    private void unpause(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.tasks().unpause(p.get("id"));
        ex.empty(204);
    }

    private void update(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.tasks().update(p.get("id"), ResourcesJson.resources(req.json()));
        ex.json(200, Map.of("Warnings", List.of()));
    }

    private void stats(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        boolean stream = !req.query.containsKey("stream") || req.flag("stream");
        long hostMemory = jbox.sys.ProcFiles.memTotalBytes();
        int cpus = Runtime.getRuntime().availableProcessors();
        Map<String, Object> previous = sample(p.get("id"), hostMemory, cpus);
        if (!stream && req.flag("one-shot")) {
            ex.json(200, previous);
            return;
        }
        if (!stream) {
            sleep(500); // a second reading, so the client can compute CPU % over an interval
            Map<String, Object> now = sample(p.get("id"), hostMemory, cpus);
            now.put("precpu_stats", previous.get("cpu_stats"));
            ex.json(200, now);
            return;
        }
        try (OutputStream out = ex.stream(200, "application/json")) {
            while (true) {
                sleep(1000);
                Map<String, Object> now = sample(p.get("id"), hostMemory, cpus);
                now.put("precpu_stats", previous.get("cpu_stats"));
                JsonMessages.write(out, now);
                previous = now;
            }
        }
    }

    private Map<String, Object> sample(String id, long hostMemory, int cpus) {
        ContainerState c = engine.lifecycle().inspect(id);
        jbox.cgroup.Usage u = null;
        if (c.status().hasProcess()) {
            try {
                u = engine.tasks().usage(c);
            } catch (RuntimeException e) {
                // it ended while we looked: zeros, as for a stopped one
            }
        }
        return ContainerJson.stats(c, u, hostMemory, cpus);
    }

    /** docker top CONTAINER [ps OPTIONS]: the host's ps with those options (-ef by default), the rows of the container's processes. */
    private void top(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        java.util.Set<String> pids = new java.util.HashSet<>();
        for (int pid : engine.tasks().processes(p.get("id"))) pids.add(String.valueOf(pid));
        List<String> cmd = new ArrayList<>(List.of("ps"));
        String args = req.query("ps_args", "").trim();
        cmd.addAll(List.of((args.isEmpty() ? "-ef" : args).split("\\s+")));
        String out;
        try {
            Process ps = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ps.waitFor();
        } catch (IOException e) {
            throw new Failure("cannot run ps: " + e.getMessage(), "jbox top uses the host's ps (procps)", "install procps");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String[] lines = out.split("\n");
        List<String> titles = List.of(lines[0].trim().split("\\s+"));
        int pidColumn = titles.indexOf("PID");
        if (pidColumn < 0) {
            throw new Failure("Couldn't find PID field in ps output: " + lines[0].trim(), "ps " + String.join(" ", cmd.subList(1, cmd.size()))
                    + " printed no PID column (or ps refused the options)", "give options whose output has a PID column, e.g. jbox top NAME aux").httpStatus(500);
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] f = lines[i].trim().split("\\s+", titles.size());
            if (f.length > pidColumn && pids.contains(f[pidColumn])) rows.add(List.of(f));
        }
        ex.json(200, Map.of("Titles", titles, "Processes", rows));
    }

    private void prune(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        jbox.api.Filters f = jbox.api.Filters.parse(req.query("filters", ""), jbox.api.Filters.PRUNE);
        Lifecycle.Pruned pruned = engine.lifecycle().pruneContainers(c -> f.labels(c.labels()) && f.createdBefore(c.created()));
        ex.json(200, Map.of("ContainersDeleted", pruned.ids(), "SpaceReclaimed", pruned.bytes()));
    }

    private void remove(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        engine.lifecycle().remove(p.get("id"), req.flag("force"), req.flag("v"));
        ex.empty(204);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
