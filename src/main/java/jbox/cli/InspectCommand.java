package jbox.cli;

import jbox.cgroup.Resources;
import jbox.cgroup.Usage;
import jbox.engine.Engine;
import jbox.engine.EngineException;
import jbox.engine.Errors;
import jbox.image.Image;
import jbox.image.ImageNotFoundException;
import jbox.image.Json;
import jbox.image.Oci;
import jbox.runtime.ContainerState;
import jbox.runtime.NoSuchContainerException;
import jbox.runtime.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker inspect: low-level JSON for containers (looked up first) and images. */
@Command(name = "inspect", description = "Return low-level information on containers and images")
final class InspectCommand implements Callable<Integer> {
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*(json\\s+)?\\.([A-Za-z0-9_.]*)\\s*}}");

    @Spec CommandSpec spec;
    @Option(names = {"-f", "--format"}, description = "Format the output with a template like {{.State.Pid}} or {{json .Config}}") String format;
    @Option(names = "--type", description = "Only look for a container or an image") String type;
    @Parameters(paramLabel = "NAME|ID", arity = "1..*") List<String> names;

    @Override
    public Integer call() {
        Engine engine = Engine.open();
        List<Object> found = new ArrayList<>();
        for (String n : names) found.add(lookup(engine, n));
        var out = spec.commandLine().getOut();
        if (format == null) {
            out.println(Json.pretty(found));
        } else {
            for (Object o : found) out.println(render(format, o));
        }
        return 0;
    }

    private Object lookup(Engine engine, String name) {
        if (type == null || type.equals("container")) {
            try {
                return container(engine, engine.inspect(name));
            } catch (NoSuchContainerException e) {
                if ("container".equals(type)) throw e;
            }
        }
        try {
            return image(engine.images().find(name));
        } catch (ImageNotFoundException | IllegalArgumentException e) {
            throw new EngineException("No such object: " + name, "no container or image has that name or id", "list them with jbox ps -a and jbox images");
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read image " + name);
        }
    }

    static Map<String, Object> container(Engine engine, ContainerState c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", c.created());
        m.put("Path", c.args().get(0));
        m.put("Args", c.args().subList(1, c.args().size()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", c.status().wire());
        state.put("Running", c.status() == Status.RUNNING);
        state.put("Paused", c.paused());
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error() == null ? "" : c.error());
        state.put("StartedAt", c.startedAt() == null ? "0001-01-01T00:00:00Z" : c.startedAt());
        state.put("FinishedAt", c.finishedAt() == null ? "0001-01-01T00:00:00Z" : c.finishedAt());
        m.put("State", state);
        m.put("Image", c.imageId());
        m.put("Name", "/" + c.name());
        var dir = engine.containers().dirOf(c.id());
        m.put("LogPath", dir.resolve("container.log").toString());
        Resources r = c.limits();
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", c.autoRemove());
        host.put("Memory", r.memory() == null ? 0 : r.memory());
        host.put("MemorySwap", r.memorySwap() == null ? 0 : r.memorySwap());
        host.put("NanoCpus", r.cpuQuota() == null ? 0 : r.cpuQuota() * 1_000_000_000L / Resources.CPU_PERIOD);
        host.put("CpuShares", r.cpuShares() == null ? 0 : r.cpuShares());
        host.put("CpusetCpus", r.cpusetCpus() == null ? "" : r.cpusetCpus());
        host.put("PidsLimit", r.pidsLimit());
        host.put("BlkioWeight", r.blkioWeight() == null ? 0 : r.blkioWeight());
        host.put("BlkioDeviceReadBps", rates(r.deviceReadBps()));
        host.put("BlkioDeviceWriteBps", rates(r.deviceWriteBps()));
        m.put("HostConfig", host);
        if (c.status() == Status.RUNNING) {
            try {
                Usage u = engine.usage(c);
                Map<String, Object> usage = new LinkedHashMap<>();
                usage.put("CpuNanos", u.cpuNanos());
                usage.put("MemoryUsage", u.memoryUsage());
                usage.put("MemoryMaxUsage", u.memoryMaxUsage());
                usage.put("MemoryLimit", u.memoryLimit());
                usage.put("Pids", u.pids());
                usage.put("PidsLimit", u.pidsLimit());
                usage.put("BlockRead", u.blockRead());
                usage.put("BlockWrite", u.blockWrite());
                usage.put("OomKills", u.oomKills());
                m.put("JboxUsage", usage);
            } catch (RuntimeException e) {
                // ended while we looked
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("LowerDir", String.join(":", c.layers().stream().map(l -> engine.root().resolve("layers").resolve(l.substring(7)).toString()).toList()));
        data.put("UpperDir", dir.resolve("upper").toString());
        data.put("WorkDir", dir.resolve("work").toString());
        data.put("MergedDir", dir.resolve("rootfs").toString());
        m.put("GraphDriver", Map.of("Name", "overlay", "Data", data));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", c.hostname());
        config.put("User", c.user());
        config.put("Tty", c.tty());
        config.put("OpenStdin", c.openStdin());
        config.put("Env", c.env());
        config.put("Cmd", c.args());
        config.put("Image", c.image());
        config.put("WorkingDir", c.workingDir());
        m.put("Config", config);
        if (c.procMount() != null) m.put("JboxProcMount", c.procMount());
        return m;
    }

    private static List<Map<String, Object>> rates(List<Resources.DeviceRate> rates) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Resources.DeviceRate d : rates) out.add(Map.of("Path", d.path(), "Rate", d.bytesPerSecond()));
        return out;
    }

    static Map<String, Object> image(Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id().toString());
        m.put("RepoTags", i.reference() == null ? List.of() : List.of(i.reference().familiar()));
        m.put("RepoDigests", i.reference() == null ? List.of() : List.of(i.reference().familiarRepository() + "@" + i.manifestDigest()));
        m.put("Created", i.config().created());
        m.put("Architecture", i.config().architecture());
        m.put("Os", i.config().os());
        m.put("Size", i.size());
        Oci.ContainerConfig cc = i.containerConfig();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("User", cc.user() == null ? "" : cc.user());
        config.put("Env", cc.env());
        config.put("Cmd", cc.cmd());
        config.put("Entrypoint", cc.entrypoint());
        config.put("WorkingDir", cc.workingDir() == null ? "" : cc.workingDir());
        config.put("Labels", cc.labels());
        m.put("Config", config);
        m.put("RootFS", Map.of("Type", "layers", "Layers", i.config().rootfs().diffIds()));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("Digest", i.manifestDigest().toString());
        manifest.put("Config", i.manifest().config().digest());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Oci.Descriptor l : i.manifest().layers()) layers.add(Map.of("MediaType", l.mediaType(), "Digest", l.digest(), "Size", l.size()));
        manifest.put("Layers", layers);
        m.put("Manifest", manifest);
        return m;
    }

    /** The subset of Go templates people use with docker inspect: {{.A.B}} and {{json .A}}. */
    static String render(String template, Object root) {
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Object v = root;
            if (!m.group(2).isEmpty()) {
                for (String key : m.group(2).split("\\.")) {
                    if (!(v instanceof Map<?, ?> map) || !map.containsKey(key)) {
                        throw new EngineException("template: no field \"" + m.group(2) + "\"", "the field does not exist in this object",
                                "look at jbox inspect NAME (without -f) for the field names");
                    }
                    v = map.get(key);
                }
            }
            String text = m.group(1) != null ? Json.bytes(v).length > 0 ? new String(Json.bytes(v)) : "null"
                    : v instanceof List<?> l ? "[" + String.join(" ", l.stream().map(String::valueOf).toList()) + "]"
                    : v instanceof Map<?, ?> ? "map" + v : String.valueOf(v);
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
