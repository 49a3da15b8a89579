package jbox.builder;

import jbox.image.ImageSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image config being changed by instructions that touch no files: ENV, LABEL, CMD, ENTRYPOINT,
 * EXPOSE, USER, WORKDIR, STOPSIGNAL, SHELL, VOLUME and HEALTHCHECK. `jbox build` and `jbox commit --change` both use it,
 * so an instruction means the same in both.
 */
final class ConfigEdit {
    String user;
    final Map<String, String> env = new LinkedHashMap<>();
    List<String> entrypoint;
    List<String> cmd;
    String workingDir;
    final Map<String, String> labels = new TreeMap<>();
    final Map<String, Object> exposedPorts = new TreeMap<>();
    String stopSignal;
    final Map<String, Object> volumes = new TreeMap<>();
    ImageSpec.Healthcheck healthcheck;
    List<String> shell = List.of("/bin/sh", "-c");

    static ConfigEdit of(ImageSpec.ContainerConfig c) {
        ConfigEdit e = new ConfigEdit();
        if (c == null) return e;
        e.user = c.user();
        if (c.env() != null) for (String kv : c.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) e.env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        e.entrypoint = c.entrypoint();
        e.cmd = c.cmd();
        e.workingDir = c.workingDir();
        if (c.labels() != null) e.labels.putAll(c.labels());
        if (c.exposedPorts() != null) e.exposedPorts.putAll(c.exposedPorts());
        e.stopSignal = c.stopSignal();
        if (c.volumes() != null) e.volumes.putAll(c.volumes());
        e.healthcheck = c.healthcheck();
        return e;
    }

    ImageSpec.ContainerConfig toConfig() {
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        return new ImageSpec.ContainerConfig(emptyToNull(user), envList.isEmpty() ? null : envList, entrypoint, cmd, emptyToNull(workingDir),
                labels.isEmpty() ? null : new TreeMap<>(labels), exposedPorts.isEmpty() ? null : new TreeMap<>(exposedPorts), stopSignal,
                volumes.isEmpty() ? null : new TreeMap<>(volumes), healthcheck);
    }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }

    /** Whether this instruction only changes the config (then apply() handles it). */
    static boolean handles(String keyword) {
        return switch (keyword) {
            case "ENV", "LABEL", "CMD", "ENTRYPOINT", "EXPOSE", "USER", "WORKDIR", "STOPSIGNAL", "SHELL", "MAINTAINER", "VOLUME", "HEALTHCHECK" -> true;
            default -> false;
        };
    }

    /** Applies one config instruction; vars are what $NAME may refer to (ARGs and ENV so far). */
    void apply(Dockerfile.Instruction in, Map<String, String> vars) {
        switch (in.keyword()) {
            case "ENV" -> pairs(in, vars).forEach(env::put);
            case "LABEL" -> pairs(in, vars).forEach(labels::put);
            case "CMD" -> cmd = command(in);
            case "ENTRYPOINT" -> {
                entrypoint = command(in);
                cmd = null; // as in docker: a new ENTRYPOINT drops the CMD inherited from the base image
            }
            case "EXPOSE" -> {
                for (String p : ShellWords.split(in.args(), vars)) {
                    String port = p.contains("/") ? p.toLowerCase() : p + "/tcp";
                    if (!port.matches("\\d{1,5}(-\\d{1,5})?/(tcp|udp|sctp)")) {
                        throw in.error("invalid port \"" + p + "\"", "EXPOSE takes ports like 80, 80/tcp or 53/udp", "fix the port");
                    }
                    exposedPorts.put(port, Map.of());
                }
            }
            case "USER" -> user = requireOne(in, vars);
            case "WORKDIR" -> {
                String dir = requireOne(in, vars);
                workingDir = dir.startsWith("/") ? dir : (workingDir == null || workingDir.isEmpty() ? "/" : workingDir + "/") + dir;
                workingDir = java.nio.file.Path.of(workingDir).normalize().toString();
            }
            case "STOPSIGNAL" -> stopSignal = requireOne(in, vars);
            case "SHELL" -> {
                if (in.json() == null || in.json().isEmpty()) {
                    throw in.error("SHELL needs the JSON form", "the shell is given as a list of words", "write e.g. SHELL [\"/bin/sh\", \"-c\"]");
                }
                shell = in.json();
            }
            case "MAINTAINER" -> labels.put("maintainer", in.args());
            case "VOLUME" -> {
                List<String> paths = in.json() != null ? in.json() : ShellWords.split(in.args(), vars);
                if (paths.isEmpty()) throw in.error("needs a path", "VOLUME names the directories that become volumes", "write e.g. VOLUME /data");
                for (String p : paths) {
                    if (!p.startsWith("/") || p.equals("/")) throw in.error("\"" + p + "\" is not an absolute path", "a volume is mounted at a path in the container", "write e.g. VOLUME /data");
                    volumes.put(java.nio.file.Path.of(p).normalize().toString(), Map.of());
                }
            }
            case "HEALTHCHECK" -> healthcheck = Healthchecks.parse(in);
            default -> throw new IllegalArgumentException(in.keyword());
        }
    }

    /** CMD and ENTRYPOINT: the JSON form as is, the shell form run by the SHELL (/bin/sh -c). */
    private List<String> command(Dockerfile.Instruction in) {
        if (in.json() != null) return in.json();
        if (in.args().isEmpty()) throw in.error("needs a command", "an empty CMD or ENTRYPOINT would run nothing", "write the command, e.g. CMD [\"sh\"]");
        List<String> c = new ArrayList<>(shell);
        c.add(in.args());
        return c;
    }

    private static String requireOne(Dockerfile.Instruction in, Map<String, String> vars) {
        String w = ShellWords.word(in.args(), vars).trim();
        if (w.isEmpty()) throw in.error("needs a value", "it was given nothing", "write e.g. " + in.keyword() + " " + example(in.keyword()));
        return w;
    }

    private static String example(String keyword) {
        return switch (keyword) {
            case "USER" -> "1000 or USER nobody";
            case "WORKDIR" -> "/app";
            default -> "SIGTERM";
        };
    }

    /** NAME=value pairs (several per line), or the old one-pair form NAME value. */
    static Map<String, String> pairs(Dockerfile.Instruction in, Map<String, String> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> words = ShellWords.split(in.args(), vars);
        if (words.isEmpty()) throw in.error("needs NAME=value", "it was given nothing", "write e.g. " + in.keyword() + " NAME=value");
        if (!words.get(0).contains("=")) {
            String rest = in.args().trim().substring(in.args().trim().split("\\s+", 2)[0].length()).trim();
            if (rest.isEmpty()) throw in.error("\"" + words.get(0) + "\" has no value", "the old form is NAME value", "write " + in.keyword() + " " + words.get(0) + "=value");
            out.put(words.get(0), ShellWords.word(rest, vars));
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw in.error("\"" + w + "\" is not NAME=value", "with several pairs on a line, each needs an =", "write NAME=value, quoting values with blanks");
            out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }
}
