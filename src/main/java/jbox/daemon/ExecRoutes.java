package jbox.daemon;

import jbox.api.CreateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.StreamFrames;
import jbox.engine.Engine;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** docker exec: POST /containers/{id}/exec, POST /exec/{id}/start, GET /exec/{id}/json. */
final class ExecRoutes {
    private final Engine engine;
    private final Execs execs;

    ExecRoutes(Engine engine, Execs execs) {
        this.engine = engine;
        this.execs = execs;
    }

    void register(Router r) {
        r.add("POST", "/containers/{id}/exec", "ExecRoutes.create", this::create)
                .add("POST", "/exec/{id}/start", "ExecRoutes.start", this::start)
                .add("POST", "/exec/{id}/resize", "ExecRoutes.resize", this::resize)
                .add("GET", "/exec/{id}/json", "ExecRoutes.inspect", this::inspect);
    }

    private void create(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        JsonNode b = req.json();
        String id = engine.lifecycle().inspect(p.get("id")).id();
        Execs.Session s = execs.create(new Execs.Config(id, jbox.api.CreateJson.strings(b.get("Cmd")), jbox.api.CreateJson.strings(b.get("Env")),
                b.path("WorkingDir").asText(""), b.path("User").asText(""), b.path("Tty").asBoolean(false),
                b.path("AttachStdin").asBoolean(false), b.path("AttachStdout").asBoolean(true), b.path("AttachStderr").asBoolean(true)));
        ex.json(201, Map.of("Id", s.id));
    }

    private void start(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Execs.Session s = execs.get(p.get("id"));
        if (req.json().path("Detach").asBoolean(false)) {
            execs.start(s, null);
            ex.empty(200);
            return;
        }
        Attached a = new Attached(s.config.tty(), s.config.attachStdout(), s.config.attachStderr())
                .connect(ex.hijack(s.config.tty() ? StreamFrames.RAW : StreamFrames.MULTIPLEXED));
        try {
            execs.start(s, a);
        } catch (RuntimeException e) {
            // Docker reports a failed exec on the hijacked stream; its exit code is in inspect
            byte[] msg = (jbox.engine.Errors.explain(e, "exec").getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            a.write(StreamFrames.STDERR, msg, msg.length);
            a.end();
            a.awaitAndClose();
            return;
        }
        if (s.config.attachStdin()) a.copyInput(s::writeStdin, s::closeStdin);
        a.awaitAndClose();
    }

    private void resize(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        execs.get(p.get("id")).resize(req.intQuery("h", 0), req.intQuery("w", 0));
        ex.empty(200);
    }

    private void inspect(ApiRequest req, Map<String, String> p, Exchange ex) throws IOException {
        Execs.Session s = execs.get(p.get("id"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", s.id);
        m.put("Running", s.running());
        m.put("ExitCode", s.exitCode());
        m.put("ProcessConfig", Map.of("entrypoint", s.config.cmd().get(0), "arguments", s.config.cmd().subList(1, s.config.cmd().size()),
                "tty", s.config.tty(), "user", s.config.user()));
        m.put("OpenStdin", s.config.attachStdin());
        m.put("OpenStdout", s.config.attachStdout());
        m.put("OpenStderr", s.config.attachStderr());
        m.put("ContainerID", s.config.containerId());
        m.put("Pid", s.pid());
        ex.json(200, m);
    }
}
