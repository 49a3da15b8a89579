package jbox.shell;

import jbox.text.Say;

import jbox.text.Format;
import jbox.cgroup.Resources;
import jbox.cgroup.Units;
import jbox.cgroup.Usage;
import jbox.terminal.RawMode;
import jbox.terminal.TtyAttach;
import jbox.engine.CreateRequest;
import jbox.sys.Failure;
import jbox.io.AtomicFiles;
import jbox.runtime.ContainerState;
import jbox.linux.Pty;
import jbox.sys.Spawn;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** The shell's own commands: a sandbox taken apart one namespace and one cgroup limit at a time. */
final class SandboxCommands {
    private SandboxCommands() {}

    static final class Kinds extends ArrayList<String> {
        Kinds() { super(Sandbox.KINDS); }
    }

    static final class Settings extends ArrayList<String> {
        Settings() { super(List.of("memory", "cpus", "cpu-shares", "pids", "cpuset", "read-bps", "write-bps", "blkio-weight")); }
    }

    static final class ProbeKinds extends ArrayList<String> {
        ProbeKinds() { super(List.of("memory", "forkbomb", "busy", "read", "counter")); }
    }

    static List<Object> all(Session s) {
        return List.of(new New(s), new Ns(s), new Enter(s), new In(s), new Host(s), new Lo(s), new Veth(s), new Harden(s), new Limit(s), new UsageCmd(s),
                new Freeze(s), new Thaw(s), new Probe(s), new Keep(s), new Discard(s), new Explain(s), new MeasureCommand(s));
    }

    @Command(name = "sandbox", description = "Make a sandbox from an image: its root is prepared, and it still shares every namespace with the host",
            footer = "Example: sandbox busybox")
    static final class New implements Runnable {
        private final Session s;
        @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", defaultValue = "busybox",
                completionCandidates = jbox.terminal.Candidates.Images.class) String image;
        @Option(names = "--name", defaultValue = "box", description = "Its name (also its hostname once it has its own uts namespace)") String name;

        New(Session s) { this.s = s; }

        @Override
        public void run() {
            if (s.sandbox != null) {
                throw Say.failure("err.twosandboxes", s.sandbox.name);
            }
            s.sandbox = Sandbox.create(s.engine, image, name, s.out::println);
            s.out.println(Say.t("sandbox.made", name, image));
            Ns.print(s);
            s.out.println(Say.t("sandbox.next"));
            s.out.println(Say.t("in.hostfiles.note"));
        }
    }

    @Command(name = "ns", description = "Show the host's namespaces next to the sandbox's: shared or isolated", footer = "Example: ns")
    static final class Ns implements Runnable {
        private final Session s;

        Ns(Session s) { this.s = s; }

        @Override
        public void run() { print(s); }

        static void print(Session s) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{Say.t("ns.kind"), Say.t("ns.host"), Say.t("ns.sandbox"), ""});
            for (Map.Entry<String, String[]> e : s.sandbox().namespaces().entrySet()) {
                String[] v = e.getValue();
                rows.add(new String[]{e.getKey(), v[0], v[1], v[0].equals(v[1]) ? Say.t("ns.shared") : Say.t("ns.isolated")});
            }
            s.out.print(jbox.text.Format.table(rows));
        }
    }

    @Command(name = "enter", description = "Move the sandbox into a new namespace of one kind: uts, ipc, net, mnt, pid, cgroup, time, user",
            footer = {"Examples:", "  enter uts myhost", "  enter pid", "  enter mnt"})
    static final class Enter implements Runnable {
        private final Session s;
        @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kinds.class) String kind;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ARG", description = "For uts: the hostname") String arg;
        @Option(names = "--bare", description = "For pid: no init; your next command becomes PID 1, and the namespace dies with it") boolean bare;

        Enter(Session s) { this.s = s; }

        @Override
        public void run() {
            List<String> trace = s.newTrace();
            try {
                List<String> said = s.sandbox().enter(kind.toLowerCase(Locale.ROOT), arg, bare, s.tracer(trace));
                s.printTrace(trace);
                s.say(said);
            } catch (RuntimeException e) {
                s.printTrace(trace);
                throw e;
            }
            Ns.print(s);
        }
    }

    @Command(name = "in", description = "Run a command inside the sandbox (in its namespaces and cgroup)",
            footer = {"Examples:", "  in hostname", "  in ps", "  in sh"})
    static final class In implements Callable<Integer> {
        private final Session s;
        @Option(names = {"-d", "--detach"}, description = "Leave it running in the background and print its pid") boolean detach;
        @Parameters(arity = "1..*", paramLabel = "COMMAND") List<String> command;

        In(Session s) { this.s = s; }

        @Override
        public Integer call() {
            Sandbox box = s.sandbox();
            List<String> trace = s.newTrace();
            s.out.flush();
            int pid;
            Pty pty = null;
            if (detach) {
                pid = box.spawnDetached(command, s.tracer(trace));
                s.printTrace(trace);
                s.out.println(pid);
                return 0;
            }
            if (s.terminal && Sys.isatty(0)) {
                pty = box.openPty();
                // raw before the command starts: a Ctrl-C typed as soon as it runs waits in this
                // terminal for the copier, which hands it to the command, instead of signalling this shell
                RawMode raw = RawMode.enter();
                try {
                    pid = box.spawnOnPty(command, pty, s.tracer(trace));
                } catch (RuntimeException e) {
                    raw.restore();
                    Sys.close(pty.master());
                    throw e;
                }
                try (TtyAttach attach = TtyAttach.attach(pty.master(), raw)) {
                    return exited(box, pid, Sys.waitpid(pid));
                }
            }
            pid = box.spawn(command, s.tracer(trace));
            return exited(box, pid, Sys.waitpid(pid));
        }

        private int exited(Sandbox box, int pid, int status) {
            String after = box.afterExit(pid);
            if (after != null) s.out.println(after);
            return jbox.sys.Linux.exitCode(status);
        }
    }

    @Command(name = "host", description = "Run a command on the host, to compare with the sandbox", footer = "Example: host hostname")
    static final class Host implements Callable<Integer> {
        private final Session s;
        @Parameters(arity = "1..*", paramLabel = "COMMAND") List<String> command;

        Host(Session s) { this.s = s; }

        @Override
        public Integer call() throws IOException, InterruptedException {
            s.out.flush();
            try (Spawn sp = new Spawn(jbox.linux.Executable.find(Path.of("/"), command.get(0),
                    System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")), command, hostEnv())) {
                sp.closeFrom(3);
                return jbox.sys.Linux.exitCode(Sys.waitpid(sp.spawn()));
            }
        }

        private static List<String> hostEnv() {
            List<String> env = new ArrayList<>();
            System.getenv().forEach((k, v) -> env.add(k + "=" + v));
            return env;
        }
    }

    @Command(name = "lo", description = "Bring the sandbox's loopback device up (after enter net)", footer = "Example: lo up")
    static final class Lo implements Runnable {
        private final Session s;
        @Parameters(paramLabel = "up") String up;

        Lo(Session s) { this.s = s; }

        @Override
        public void run() {
            if (!up.equals("up")) throw new Failure("lo takes one word: up", null, "write: lo up");
            List<String> trace = s.newTrace();
            List<String> said = s.sandbox().loopbackUp(s.tracer(trace));
            s.printTrace(trace);
            s.say(said);
        }
    }

    @Command(name = "veth", description = "Connect the sandbox to the host step by step: veth add, veth move, veth addr (after enter net)",
            footer = {"Steps:", "  veth add    a veth pair, both ends on the host", "  veth move   one end into the sandbox, renamed eth0",
                    "  veth addr   an address on each end, both up (a /24 no one else on the host uses)",
                    "  veth ping   in ping -c 1 with the host end's address"})
    static final class Veth implements Runnable {
        private final Session s;
        @Parameters(paramLabel = "add|move|addr|ping") String step;

        Veth(Session s) { this.s = s; }

        @Override
        public void run() {
            List<String> trace = s.newTrace();
            Sandbox box = s.sandbox();
            if (step.equals("ping")) {
                ping(box, trace);
                return;
            }
            List<String> said = switch (step) {
                case "add" -> box.vethAdd(s.tracer(trace));
                case "move" -> box.vethMove(s.tracer(trace));
                case "addr" -> box.vethAddr(s.tracer(trace));
                default -> throw new Failure("veth has these steps: add, move, addr, ping", "\"" + step + "\" is not one of them", "write: veth add");
            };
            s.printTrace(trace);
            s.say(said);
        }

        /*
         * Each learner's sandbox gets its own /24, so no lesson can write the address down; this is
         * the ping the learner would type, with the address filled in and shown.
         */
        private void ping(Sandbox box, List<String> trace) {
            List<String> command = List.of("ping", "-c", "1", box.vethHostAddress());
            s.out.println("in " + String.join(" ", command));
            s.out.flush();
            int code = jbox.sys.Linux.exitCode(Sys.waitpid(box.spawn(command, s.tracer(trace))));
            if (code != 0) throw new Failure(1, "no answer from the host's end", "ping exited with " + code, "check both ends: in ip addr, host ip addr", null);
        }
    }

    @Command(name = "harden", description = "Do what jbox run does last before the program starts: keep Docker's capabilities, forbid new privileges, load the seccomp filter",
            footer = {"Example: harden", "Then: in grep -E 'CapBnd|NoNewPrivs|Seccomp' /proc/self/status"})
    static final class Harden implements Runnable {
        private final Session s;

        Harden(Session s) { this.s = s; }

        @Override
        public void run() {
            List<String> trace = s.newTrace();
            try {
                s.sandbox().harden(s.tracer(trace));
            } finally {
                s.printTrace(trace);
            }
            s.out.println(Say.t("harden.done"));
        }
    }

    @Command(name = "limit", description = "Set one cgroup limit on the sandbox: memory, cpus, cpu-shares, pids, cpuset, read-bps, write-bps, blkio-weight",
            footer = {"Examples:", "  limit memory 32m", "  limit cpus 0.2", "  limit cpu-shares 256", "  limit pids 20", "  limit read-bps /dev/vda:1mb"})
    static final class Limit implements Runnable {
        private final Session s;
        @Parameters(index = "0", paramLabel = "SETTING", completionCandidates = Settings.class) String setting;
        @Parameters(index = "1", paramLabel = "VALUE") String value;

        Limit(Session s) { this.s = s; }

        @Override
        public void run() {
            Resources r = jbox.cgroup.ResourceFlags.of(setting, value);
            List<String> trace = s.newTrace();
            s.sandbox().limit(r, s.tracer(trace));
            s.printTrace(trace);
            s.out.println(Say.t("limit.set", switch (setting) {
                case "memory" -> "memory";
                case "pids" -> "forkbomb";
                case "cpus", "cpu-shares", "cpuset" -> "busy";
                default -> "read";
            }));
        }
    }

    @Command(name = "usage", description = "What the sandbox's processes have used (cgroup accounting)", footer = "Example: usage")
    static final class UsageCmd implements Runnable {
        private final Session s;

        UsageCmd(Session s) { this.s = s; }

        @Override
        public void run() { print(s, s.sandbox().usage()); }

        static void print(Session s, Usage u) {
            s.out.printf(Locale.ROOT, "cpu time %.3f s | memory %s (peak %s, limit %s) | pids %d (limit %s) | block io read %s, written %s | oom kills %d%n",
                    u.cpuNanos() / 1e9, Units.binary(u.memoryUsage()), u.memoryMaxUsage() < 0 ? "?" : Units.binary(u.memoryMaxUsage()),
                    u.memoryLimit() < 0 ? "none" : Units.binary(u.memoryLimit()), u.pids(), u.pidsLimit() < 0 ? "none" : u.pidsLimit(),
                    Units.binary(u.blockRead()), Units.binary(u.blockWrite()), u.oomKills());
        }
    }

    @Command(name = "freeze", description = "Stop every process of the sandbox at once (cgroup freezer)", footer = "Example: freeze")
    static class Freeze implements Runnable {
        final Session s;
        final boolean freeze;

        Freeze(Session s) { this(s, true); }

        Freeze(Session s, boolean freeze) {
            this.s = s;
            this.freeze = freeze;
        }

        @Override
        public void run() {
            List<String> trace = s.newTrace();
            s.sandbox().freeze(freeze, s.tracer(trace));
            s.printTrace(trace);
            s.out.println(Say.t(freeze ? "freeze.done" : "thaw.done"));
        }
    }

    @Command(name = "thaw", description = "Let the sandbox's frozen processes run again", footer = "Example: thaw")
    static final class Thaw extends Freeze {
        Thaw(Session s) { super(s, false); }
    }

    @Command(name = "probe", description = "Run a built-in probe in the sandbox to see a limit bite: memory [SIZE], forkbomb, busy [SECONDS], read [FILE], counter",
            footer = {"Examples:", "  probe memory 100m", "  probe forkbomb", "  probe busy 3", "  probe read", "  probe counter", "  probe counter -d (then freeze, thaw)"})
    static final class Probe implements Callable<Integer> {
        private final Session s;
        @Parameters(index = "0", paramLabel = "KIND", completionCandidates = ProbeKinds.class) String kind;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ARG") String arg;
        @Option(names = {"-d", "--detach"}, description = "For counter: count in the background (freeze and thaw it as it counts)") boolean detach;

        Probe(Session s) { this.s = s; }

        @Override
        public Integer call() {
            Sandbox box = s.sandbox();
            String script = switch (kind) {
                case "memory" -> "head -c " + (arg == null ? "100m" : arg) + " /dev/zero | tail > /dev/null";
                case "forkbomb" -> "(while true; do sleep 30 & done) 2>/dev/null; n=0; for p in /proc/[0-9]*; do n=$((n+1)); done;"
                        + " echo \"fork bomb stopped: could not start more processes\"; kill $(jobs -p) 2>/dev/null; true";
                case "busy" -> "end=$(( $(date +%s) + " + (arg == null ? "3" : arg) + " )); while [ $(date +%s) -lt $end ]; do :; done; echo 'busy loop done'";
                case "read" -> "dd if=" + (arg == null ? "/bin/busybox" : arg) + " of=/dev/null bs=64k iflag=direct 2>/dev/null; echo 'direct read done'";
                case "counter" -> "i=0; while [ $i -lt " + (arg != null ? arg : detach ? "300" : "50") + " ]; do i=$((i+1)); echo $i; sleep 0.2; done";
                default -> throw Say.failure("err.probe", kind);
            };
            Long pids = box.limits().pidsLimit();
            if (kind.equals("forkbomb") && (pids == null || pids <= 0)) {
                // unbounded, it would take the whole machine (a shared class server too) until it is killed
                throw Say.failure("err.forkbomb");
            }
            if (detach) {
                if (!kind.equals("counter")) throw new Failure("only probe counter runs in the background", "the other probes report when they end", "probe counter -d");
                s.out.println(box.spawnDetached(List.of("sh", "-c", script), null));
                s.out.println(Say.t("probe.counter.detached"));
                return 0;
            }
            Usage before = box.usage();
            long t0 = System.nanoTime();
            int pid = box.spawn(List.of("sh", "-c", script), null);
            int code = jbox.sys.Linux.exitCode(Sys.waitpid(pid));
            String after = box.afterExit(pid);
            if (after != null) s.out.println(after);
            if (kind.equals("forkbomb")) box.killStragglers();
            Usage u = box.usage();
            if (kind.equals("memory")) {
                Long limit = box.limits().memory();
                s.out.println(u.oomKills() > before.oomKills() ? Say.t("probe.oom", code)
                        : limit != null && limit > 0 ? Say.t("probe.underlimit", jbox.cgroup.Units.binary(limit)) : Say.t("probe.allocated"));
            }
            if (kind.equals("read")) {
                s.out.println(Say.t("probe.read", (System.nanoTime() - t0) / 1e9));
            }
            if (kind.equals("busy")) {
                double share = (u.cpuNanos() - before.cpuNanos()) / (double) (System.nanoTime() - t0);
                s.out.println(Say.t("probe.busy", share));
            }
            UsageCmd.print(s, u);
            return 0; // a probe that gets killed is the point, not a failure
        }
    }

    @Command(name = "keep", description = "Turn the sandbox into a regular container the engine manages (jbox ps shows it)",
            footer = "Example: keep web")
    static final class Keep implements Runnable {
        private final Session s;
        @Parameters(paramLabel = "NAME") String name;

        Keep(Session s) { this.s = s; }

        @Override
        public void run() {
            Sandbox box = s.sandbox();
            ContainerState c = s.engine.lifecycle().create(new CreateRequest(box.image.reference() != null ? box.image.reference().familiar() : box.image.id().toString(),
                    name, List.of("sleep", "infinity"), null, List.of(), null, null, box.hostname(), false, false, false, box.limits(), null, null, null, null, null, null, null, null, false), s.out::println);
            try {
                Path upper = s.engine.containers().dirOf(c.id()).resolve("upper");
                if (Files.isDirectory(box.upperDir())) {
                    AtomicFiles.deleteTree(upper);
                    Files.move(box.upperDir(), upper); // what was written inside the sandbox stays
                }
            } catch (IOException e) {
                throw jbox.engine.Errors.explain(e, "cannot keep the sandbox's files");
            }
            box.discard();
            s.sandbox = null;
            int code = s.run.applyAsInt(new String[]{"start", name});
            if (code != 0) throw new Failure("the kept container did not start", "see the message above", "jbox logs " + name);
            s.out.println(Say.t("keep.done", name, name));
        }
    }

    @Command(name = "discard", description = "Throw the sandbox away: its processes, namespaces, cgroup and files", footer = "Example: discard")
    static final class Discard implements Runnable {
        private final Session s;

        Discard(Session s) { this.s = s; }

        @Override
        public void run() {
            s.sandbox().discard();
            s.sandbox = null;
            s.out.println(Say.t("discard.done"));
        }
    }

    @Command(name = "explain", description = "Show the kernel calls each step makes: on (like ones grouped), full (every one), off", footer = "Example: explain full")
    static final class Explain implements Runnable {
        private final Session s;
        @Parameters(paramLabel = "on|full|off") String mode;

        Explain(Session s) { this.s = s; }

        @Override
        public void run() {
            if (!List.of("on", "full", "off").contains(mode)) throw new Failure("explain takes on, full or off", "\"" + mode + "\" is none of them", "write: explain full");
            s.explain = !mode.equals("off");
            s.explainFull = mode.equals("full");
            s.out.println(Say.t("explain." + mode));
        }
    }
}
