package jbox.ociruntime;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.linux.UserNamespace;
import jbox.cgroup.Resources;
import jbox.io.Json;
import jbox.linux.Capabilities;
import jbox.linux.DeviceNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static jbox.sys.Linux.*;

/**
 * A bundle's config.json (OCI runtime specification 1.x), read and checked. What jbox can carry out
 * becomes these records; a field it cannot honour is an error naming the field and why, never
 * silently dropped. Unknown fields are ignored, as the specification asks of runtimes.
 */
public record OciConfig(
        String ociVersion,
        Path bundle,
        Path rootfs,
        boolean rootReadonly,
        Process process,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        List<Namespace> namespaces,
        String cgroupsPath,
        Resources resources,
        List<String> deviceRules,
        List<DeviceNode> devices,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        Map<String, String> sysctl,
        long rootfsPropagation,
        JsonNode seccomp,
        List<UserNamespace.IdMap> uidMappings,
        List<UserNamespace.IdMap> gidMappings) {

    public record Process(boolean terminal, int[] consoleSize, int uid, int gid, int[] additionalGids, Integer umask, List<String> args,
                          List<String> env, String cwd, long bounding, long effective, long permitted, long inheritable, long ambient,
                          List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj) {}

    public record Rlimit(String name, int resource, long soft, long hard) {}

    /** flags: MS_* for mount(2); propagation: MS_PRIVATE/SHARED/SLAVE/UNBINDABLE (with MS_REC), applied after. */
    public record Mount(String destination, String type, String source, long flags, long propagation, String data) {
        boolean isBind() { return (flags & MS_BIND) != 0; }
    }

    public record Hook(String path, List<String> args, List<String> env, Integer timeout) {}

    public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer, List<Hook> startContainer,
                        List<Hook> poststart, List<Hook> poststop) {
        static final Hooks NONE = new Hooks(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** type: pid, network, ipc, uts, mount, cgroup, user (time is refused); path: join that one instead of a new one. */
    public record Namespace(String type, String path) {}


    static final List<String> NAMESPACES = List.of("pid", "network", "ipc", "uts", "mount", "cgroup", "user");

    public boolean newNamespace(String type) {
        return namespaces.stream().anyMatch(n -> n.type().equals(type) && n.path() == null);
    }

    public Namespace namespace(String type) {
        return namespaces.stream().filter(n -> n.type().equals(type)).findFirst().orElse(null);
    }

    /** Reads BUNDLE/config.json; a clear error for a missing or broken file and for anything jbox cannot honour. */
    public static OciConfig read(Path bundle) { return read(bundle, w -> {}); }

    /** The same, giving each warning to warn: what the spec says to log and go on without (capabilities that cannot be granted). */
    public static OciConfig read(Path bundle, java.util.function.Consumer<String> warn) {
        Path file = bundle.resolve("config.json");
        JsonNode c;
        try {
            c = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OciException("JSON specification file config.json not found in the bundle " + bundle + " (write one with: jbox-runc spec)");
        } catch (IOException e) {
            throw new OciException("config.json in " + bundle + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Reader reader = new Reader(bundle, c);
        OciConfig config = reader.read();
        reader.warnings.forEach(warn);
        return config;
    }

    /** linux.resources alone (runc update --resources), checked the same way. */
    public static Resources resourcesFrom(JsonNode r) {
        Reader reader = new Reader(Path.of("."), Json.MAPPER.createObjectNode());
        Resources out = reader.resources(r);
        if (!reader.problems.isEmpty()) throw new OciException("resources: " + String.join("; ", reader.problems));
        return out;
    }

    /** An OCI process object alone (runc exec --process), checked the same way. */
    public static Process processFrom(JsonNode p, java.util.function.Consumer<String> warn) {
        Reader reader = new Reader(Path.of("."), Json.MAPPER.createObjectNode());
        Process out = reader.process(p);
        if (!reader.problems.isEmpty()) throw new OciException("process: " + String.join("; ", reader.problems));
        reader.warnings.forEach(warn);
        return out;
    }

    private static final class Reader {
        private final Path bundle;
        private final JsonNode c;
        private final List<String> problems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private long held = -1;

        Reader(Path bundle, JsonNode c) {
            this.bundle = bundle;
            this.c = c;
        }

        private void refuse(String field, String why) { problems.add(field + ": " + why); }

        OciConfig read() {
            if (!c.isObject()) throw new OciException("config.json in " + bundle + " is not a JSON object");
            String version = c.path("ociVersion").asText("");
            if (!version.startsWith("1.")) refuse("ociVersion", "\"" + version + "\" is not 1.x, the version jbox implements");
            JsonNode root = c.path("root");
            String rootPath = root.path("path").asText("");
            Path rootfs = rootPath.isEmpty() ? null : bundle.resolve(rootPath).normalize();
            if (rootfs == null) refuse("root.path", "missing");
            else if (!Files.isDirectory(rootfs)) refuse("root.path", "the root filesystem " + rootfs + " does not exist or is not a directory");
            if (c.has("windows") || c.has("solaris") || c.has("vm") || c.has("zos")) refuse("windows/solaris/vm/zos", "jbox runs Linux containers only");
            Process process = process(c.path("process"));
            List<Mount> mounts = new ArrayList<>();
            for (JsonNode m : c.path("mounts")) mounts.add(mount(m));
            Hooks hooks = hooks(c.path("hooks"));
            Map<String, String> annotations = new LinkedHashMap<>();
            c.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
            JsonNode l = c.path("linux");
            List<Namespace> namespaces = new ArrayList<>();
            for (JsonNode n : l.path("namespaces")) {
                String type = n.path("type").asText();
                String path = n.hasNonNull("path") && !n.path("path").asText().isEmpty() ? n.path("path").asText() : null;
                if (type.equals("time")) refuse("linux.namespaces", "time namespaces are not supported by jbox's runtime");
                else if (!NAMESPACES.contains(type)) refuse("linux.namespaces", "unknown namespace type \"" + type + "\"");
                else if (path != null && !Files.exists(Path.of(path))) refuse("linux.namespaces", "the " + type + " namespace path " + path + " does not exist");
                namespaces.add(new Namespace(type, path));
            }
            List<UserNamespace.IdMap> uidMappings = idMappings(l.path("uidMappings"), "linux.uidMappings");
            List<UserNamespace.IdMap> gidMappings = idMappings(l.path("gidMappings"), "linux.gidMappings");
            Namespace userns = namespaces.stream().filter(n -> n.type().equals("user")).findFirst().orElse(null);
            boolean mapped = !uidMappings.isEmpty() || !gidMappings.isEmpty();
            if (userns == null) {
                if (mapped) refuse("linux.uidMappings", "id mappings need a user namespace: add {\"type\": \"user\"} to linux.namespaces");
            } else if (userns.path() != null) {
                if (mapped) refuse("linux.uidMappings", "a user namespace joined by path keeps its own mappings: leave uidMappings and gidMappings out");
            } else if (uidMappings.isEmpty() || gidMappings.isEmpty()) {
                refuse("linux.uidMappings", "a new user namespace needs both uidMappings and gidMappings (who is who inside it)");
            } else if (!UserNamespace.IdMap.maps(uidMappings, process.uid())) {
                refuse("process.user.uid", process.uid() + " is not mapped in linux.uidMappings, so the process could not become it");
            } else if (!UserNamespace.IdMap.maps(gidMappings, process.gid())) {
                refuse("process.user.gid", process.gid() + " is not mapped in linux.gidMappings, so the process could not become it");
            }
            for (String f : List.of("intelRdt", "personality")) {
                if (l.has(f) && !(l.path(f).isTextual() && l.path(f).asText().isEmpty())) refuse("linux." + f, "not supported by jbox");
            }
            if (!l.path("mountLabel").asText("").isEmpty()) {
                // Without SELinux no file has a label to set, so there is nothing to enforce (crun ignores it the same way).
                if (Files.exists(Path.of("/sys/fs/selinux/enforce"))) refuse("linux.mountLabel", "jbox does not label mounts for SELinux, which this host enables");
                else warnings.add("linux.mountLabel: this host does not enable SELinux, so no file carries a label; ignored");
            }
            if (!l.path("seccomp").path("listenerPath").asText("").isEmpty()) refuse("linux.seccomp.listenerPath", "seccomp user notification is not supported by jbox");
            List<DeviceNode> devices = new ArrayList<>();
            for (JsonNode d : l.path("devices")) {
                devices.add(new DeviceNode(d.path("path").asText(), d.path("type").asText("c"), d.path("major").asLong(), d.path("minor").asLong(),
                        d.path("fileMode").asInt(0666), d.path("uid").asInt(0), d.path("gid").asInt(0)));
            }
            Map<String, String> sysctl = new LinkedHashMap<>();
            l.path("sysctl").fields().forEachRemaining(e -> sysctl.put(e.getKey(), e.getValue().asText()));
            long propagation = propagation(l.path("rootfsPropagation").asText(""), "linux.rootfsPropagation");
            JsonNode res = l.path("resources");
            List<String> deviceRules = deviceRules(res.path("devices"));
            Resources resources = resources(res);
            if (!problems.isEmpty()) {
                throw new OciException("config.json in " + bundle + " asks for what jbox cannot do: " + String.join("; ", problems));
            }
            return new OciConfig(c.path("ociVersion").asText(), bundle, rootfs, root.path("readonly").asBoolean(false), process,
                    text(c, "hostname"), text(c, "domainname"), mounts, hooks, annotations, namespaces, text(l, "cgroupsPath"), resources, deviceRules,
                    devices, strings(l.path("maskedPaths")), strings(l.path("readonlyPaths")), sysctl, propagation,
                    l.path("seccomp").isObject() ? l.path("seccomp") : null, uidMappings, gidMappings);
        }

        /** linux.uidMappings or gidMappings: containerID, hostID, size each. */
        private List<UserNamespace.IdMap> idMappings(JsonNode list, String field) {
            List<UserNamespace.IdMap> out = new ArrayList<>();
            for (JsonNode m : list) {
                long inside = m.path("containerID").asLong(-1), outside = m.path("hostID").asLong(-1), size = m.path("size").asLong(0);
                if (inside < 0 || outside < 0 || size <= 0) refuse(field, "each mapping needs containerID, hostID and a size above 0: " + m);
                else out.add(new UserNamespace.IdMap(inside, outside, size));
            }
            return out;
        }

        private static String text(JsonNode n, String field) {
            return n.hasNonNull(field) && !n.path(field).asText().isEmpty() ? n.path(field).asText() : null;
        }

        private static List<String> strings(JsonNode a) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : a) out.add(s.asText());
            return out;
        }

        private Process process(JsonNode p) {
            if (!p.isObject()) {
                refuse("process", "missing: create needs the process to run");
                return null;
            }
            List<String> args = strings(p.path("args"));
            if (args.isEmpty()) refuse("process.args", "empty: there is nothing to run");
            if (p.has("commandLine")) refuse("process.commandLine", "a Windows field");
            for (String f : List.of("apparmorProfile", "selinuxLabel")) {
                if (!p.path(f).asText("").isEmpty()) refuse("process." + f, "this host has no " + (f.startsWith("app") ? "AppArmor" : "SELinux") + " support in jbox");
            }
            if (p.has("ioPriority") || p.has("scheduler") || p.has("execCPUAffinity")) refuse("process.ioPriority/scheduler/execCPUAffinity", "not supported by jbox");
            String cwd = p.path("cwd").asText("/");
            if (!cwd.startsWith("/")) refuse("process.cwd", "\"" + cwd + "\" is not an absolute path");
            JsonNode u = p.path("user");
            if (!u.path("username").asText("").isEmpty()) refuse("process.user.username", "a Windows field");
            List<Integer> gids = new ArrayList<>();
            for (JsonNode g : u.path("additionalGids")) gids.add(g.asInt());
            JsonNode caps = p.path("capabilities");
            List<Rlimit> rlimits = new ArrayList<>();
            for (JsonNode r : p.path("rlimits")) {
                String name = r.path("type").asText();
                int i = RLIMITS.indexOf(name);
                if (i < 0) refuse("process.rlimits", "unknown rlimit \"" + name + "\"");
                rlimits.add(new Rlimit(name, i, r.path("soft").asLong(), r.path("hard").asLong()));
            }
            int[] console = p.has("consoleSize") ? new int[] {p.path("consoleSize").path("height").asInt(), p.path("consoleSize").path("width").asInt()} : null;
            return new Process(p.path("terminal").asBoolean(false), console, u.path("uid").asInt(0), u.path("gid").asInt(0),
                    gids.stream().mapToInt(Integer::intValue).toArray(), u.hasNonNull("umask") ? u.path("umask").asInt() : null, args,
                    strings(p.path("env")), cwd, capabilities(caps, "bounding"),
                    capabilities(caps, "effective"),
                    capabilities(caps, "permitted"),
                    capabilities(caps, "inheritable"),
                    capabilities(caps, "ambient"), rlimits,
                    p.path("noNewPrivileges").asBoolean(false), p.hasNonNull("oomScoreAdj") ? p.path("oomScoreAdj").asInt() : null);
        }

        /**
         * A name the kernel does not know is an error (the conformance suite holds runtimes to it, and
         * Docker refuses one too); a capability that cannot be granted is logged as a warning and left
         * out, as the spec asks (runtimes SHOULD NOT fail in a restricted environment): jbox can grant
         * only what its own process holds (a machine may withhold some from root, CAP_SYS_RESOURCE here).
         */
        private long capabilities(JsonNode caps, String set) {
            long mask = 0;
            for (String name : strings(caps.path(set))) {
                String n;
                try {
                    n = Capabilities.normalize(name);
                } catch (IllegalArgumentException e) {
                    n = null;
                }
                int bit = n == null ? -1 : Capabilities.NAMES.indexOf(n);
                if (bit < 0) {
                    refuse("process.capabilities." + set, "unknown capability \"" + name + "\"");
                    continue;
                }
                if (held < 0) held = jbox.sys.Sys.capgetPermitted();
                if ((held & (1L << bit)) == 0) {
                    warnings.add("process.capabilities." + set + ": " + n + " cannot be granted (jbox's own process does not hold it), ignored");
                    continue;
                }
                mask |= 1L << bit;
            }
            return mask;
        }

        static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
                "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
                "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

        private static final Map<String, Long> SET = Map.ofEntries(Map.entry("ro", MS_RDONLY), Map.entry("nosuid", MS_NOSUID),
                Map.entry("nodev", MS_NODEV), Map.entry("noexec", MS_NOEXEC), Map.entry("sync", 16L), Map.entry("dirsync", 128L),
                Map.entry("remount", MS_REMOUNT), Map.entry("mand", 64L), Map.entry("noatime", MS_NOATIME), Map.entry("nodiratime", 2048L),
                Map.entry("bind", MS_BIND), Map.entry("rbind", MS_BIND | MS_REC), Map.entry("relatime", MS_RELATIME),
                Map.entry("strictatime", MS_STRICTATIME));
        private static final Set<String> CLEAR = Set.of("rw", "suid", "dev", "exec", "async", "nomand", "atime", "diratime", "norelatime",
                "nostrictatime", "loud");

        private Mount mount(JsonNode m) {
            String dest = m.path("destination").asText("");
            if (!dest.startsWith("/")) refuse("mounts", "destination \"" + dest + "\" is not an absolute path");
            String type = m.path("type").asText("");
            long flags = 0, prop = 0;
            List<String> data = new ArrayList<>();
            for (JsonNode o : m.path("options")) {
                String opt = o.asText();
                if (SET.containsKey(opt)) flags |= SET.get(opt);
                else if (CLEAR.contains(opt)) continue;
                else if (opt.matches("r?(private|shared|slave|unbindable)")) prop = propagation(opt, "mounts " + dest);
                else if (opt.equals("tmpcopyup") || opt.startsWith("idmap") || opt.startsWith("ridmap")) refuse("mounts " + dest, "option \"" + opt + "\" is not supported by jbox");
                else data.add(opt);
            }
            if (type.equals("bind")) flags |= MS_BIND;
            if (m.has("uidMappings") || m.has("gidMappings")) refuse("mounts " + dest, "idmapped mounts are not supported by jbox");
            return new Mount(dest, type, m.path("source").asText(""), flags, prop, data.isEmpty() ? null : String.join(",", data));
        }

        private long propagation(String name, String field) {
            return switch (name) {
                case "" -> 0;
                case "private" -> MS_PRIVATE;
                case "rprivate" -> MS_PRIVATE | MS_REC;
                case "shared" -> 1L << 20;
                case "rshared" -> (1L << 20) | MS_REC;
                case "slave" -> MS_SLAVE;
                case "rslave" -> MS_SLAVE | MS_REC;
                case "unbindable" -> 1L << 17;
                case "runbindable" -> (1L << 17) | MS_REC;
                default -> {
                    refuse(field, "unknown propagation \"" + name + "\"");
                    yield 0;
                }
            };
        }

        private Hooks hooks(JsonNode h) {
            if (!h.isObject()) return Hooks.NONE;
            return new Hooks(hookList(h.path("prestart")), hookList(h.path("createRuntime")), hookList(h.path("createContainer")),
                    hookList(h.path("startContainer")), hookList(h.path("poststart")), hookList(h.path("poststop")));
        }

        private List<Hook> hookList(JsonNode a) {
            List<Hook> out = new ArrayList<>();
            for (JsonNode h : a) {
                String path = h.path("path").asText("");
                if (!path.startsWith("/")) refuse("hooks", "hook path \"" + path + "\" is not absolute");
                out.add(new Hook(path, strings(h.path("args")), strings(h.path("env")), h.hasNonNull("timeout") ? h.path("timeout").asInt() : null));
            }
            return out;
        }

        /** linux.resources.devices as v1 devices.allow/deny lines: "a" or "c 1:3 rwm" with allow or deny in front. */
        private List<String> deviceRules(JsonNode rules) {
            List<String> out = new ArrayList<>();
            for (JsonNode r : rules) {
                String type = r.path("type").asText("a");
                String major = r.hasNonNull("major") && r.path("major").asLong() >= 0 ? r.path("major").asText() : "*";
                String minor = r.hasNonNull("minor") && r.path("minor").asLong() >= 0 ? r.path("minor").asText() : "*";
                String access = r.path("access").asText("rwm");
                String rule = type.equals("a") && major.equals("*") && minor.equals("*") ? "a" : type + " " + major + ":" + minor + " " + access;
                out.add((r.path("allow").asBoolean(false) ? "allow " : "deny ") + rule);
            }
            return out;
        }

        /** The resources jbox's cgroup code carries out; a set field it cannot is refused. Zero means unset, as in runc. */
        private Resources resources(JsonNode r) {
            for (String f : List.of("hugepageLimits", "rdma", "network")) if (r.path(f).size() > 0) refuse("linux.resources." + f, "not supported by jbox");
            if (r.path("unified").size() > 0) refuse("linux.resources.unified", "raw cgroup v2 files are not supported by jbox");
            JsonNode mem = r.path("memory"), cpu = r.path("cpu"), blk = r.path("blockIO");
            // Deprecated by the spec and ignored by runc and by kernels since 5.16 (writes to memory.kmem.limit_in_bytes change nothing).
            if (mem.path("kernel").asLong(0) > 0) warnings.add("linux.resources.memory.kernel: kernel memory limits are deprecated and ignored (as runc ignores them)");
            if (cpu.path("idle").asLong(0) != 0) refuse("linux.resources.cpu.idle", "not supported by jbox");
            if (cpu.path("burst").asLong(0) != 0) refuse("linux.resources.cpu.burst", "not supported by jbox");
            for (String f : List.of("weightDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice")) {
                if (blk.path(f).size() > 0) refuse("linux.resources.blockIO." + f, "not supported by jbox's runtime");
            }
            if (blk.path("leafWeight").asInt(0) > 0) refuse("linux.resources.blockIO.leafWeight", "not supported by jbox");
            Long memory = positive(mem.path("limit"));
            Long swap = mem.hasNonNull("swap") && mem.path("swap").asLong() != 0 ? mem.path("swap").asLong() : null;
            Long shares = positive(cpu.path("shares"));
            Long quota = positive(cpu.path("quota"));
            String cpus = cpu.path("cpus").asText("");
            Long pids = r.path("pids").hasNonNull("limit") && r.path("pids").path("limit").asLong() != 0 ? r.path("pids").path("limit").asLong() : null;
            Integer weight = blk.path("weight").asInt(0) > 0 ? blk.path("weight").asInt() : null;
            Long swappiness = mem.hasNonNull("swappiness") && mem.path("swappiness").asLong() >= 0 && mem.path("swappiness").asLong() <= 100
                    ? Long.valueOf(mem.path("swappiness").asLong()) : null; // runc's "unset" is any value outside 0..100
            String mems = cpu.path("mems").asText("");
            return new Resources(memory, swap, quota, shares, cpus.isEmpty() ? null : cpus, pids, weight, List.of(), List.of())
                    .withMemoryTuning(positive(mem.path("reservation")), swappiness, mem.path("disableOOMKiller").asBoolean(false) ? Boolean.TRUE : null,
                            positive(mem.path("kernelTCP")))
                    .withCpuTuning(mems.isEmpty() ? null : mems, positive(cpu.path("period")), cpu.path("realtimeRuntime").asLong(0) != 0 ? Long.valueOf(cpu.path("realtimeRuntime").asLong()) : null,
                            positive(cpu.path("realtimePeriod")));
        }

        private static Long positive(JsonNode n) { return n.isNumber() && n.asLong() > 0 ? n.asLong() : null; }
    }
}
