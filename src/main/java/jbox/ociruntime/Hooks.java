package jbox.ociruntime;

import jbox.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs config.json's hooks in the runtime's namespaces: the program at path with args (args[0] is
 * its name) and env, the container's state as JSON on stdin, within timeout seconds. A failing
 * hook fails the step that ran it, except poststart and poststop, which are only warned about.
 */
final class Hooks {
    private Hooks() {}

    static byte[] state(String id, String status, int pid, java.nio.file.Path bundle, Map<String, String> annotations) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ociVersion", OciRuntime.OCI_VERSION);
        s.put("id", id);
        s.put("status", status);
        if (pid > 0) s.put("pid", pid);
        s.put("bundle", bundle.toString());
        s.put("annotations", annotations);
        try {
            return Json.MAPPER.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The state on a pipe, for a hook started in the container's namespaces: returns the read end (the state fits the pipe's buffer). */
    static int stateOnPipe(byte[] state) {
        int[] pipe = jbox.sys.Sys.pipe();
        try {
            jbox.sys.Sys.writeAll(pipe[1], state, state.length);
        } finally {
            jbox.sys.Sys.close(pipe[1]);
        }
        return pipe[0];
    }

    /** @param dir the hooks' working directory: the caller's (relative: against this process's own) */
    static void run(String kind, List<OciConfig.Hook> hooks, byte[] state, boolean fatal, RuntimeLog log, Path dir) {
        for (OciConfig.Hook h : hooks) {
            try {
                runOne(h, state, dir);
            } catch (OciException e) {
                String msg = kind + " hook " + h.path() + ": " + e.getMessage();
                if (fatal) throw new OciException(msg);
                log.warn(msg);
            }
        }
    }

    private static void runOne(OciConfig.Hook h, byte[] state, Path dir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(h.path());
        if (h.args().size() > 1) cmd.addAll(h.args().subList(1, h.args().size()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.directory(dir.toAbsolutePath().toFile());
        pb.environment().clear();
        for (String e : h.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        try {
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(state);
            } catch (IOException ignored) {
                // the hook did not read its stdin
            }
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            int timeout = h.timeout() == null ? 120 : h.timeout();
            if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new OciException("timed out after " + timeout + " s");
            }
            if (p.exitValue() != 0) {
                throw new OciException("exit status " + p.exitValue() + (out.length == 0 ? "" : ", output: " + new String(out, StandardCharsets.UTF_8).strip()));
            }
        } catch (IOException e) {
            throw new OciException("cannot run it: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException("interrupted");
        }
    }
}
