package jbox.ociruntime;

import jbox.cgroup.Resources;
import jbox.io.Json;
import jbox.sys.Linux;
import jbox.sys.Signals;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;

/** The runtime's subcommands, each a thin shell over {@link OciRuntime}. */
public final class RuntimeCommands {
    private RuntimeCommands() {}

    /** The global flags, read by every subcommand. */
    public interface Globals {
        /** The runtime, with its errors and warnings going to err (and --log). */
        OciRuntime runtime(java.io.PrintWriter err);
    }

    /** Runs one command the runc way: errors are one line on stderr and in --log, exit status 1. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand Globals parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print usage") boolean help;

        /** Where output goes: the caller's stdout, or the runtime service's client (see {@link RuntimeService}). */
        java.io.PrintWriter out() { return spec.commandLine().getOut(); }

        java.io.PrintWriter err() { return spec.commandLine().getErr(); }

        @Override
        public Integer call() {
            OciRuntime rt = null;
            try {
                rt = parent.runtime(err());
                return run(rt);
            } catch (OciException | jbox.sys.Failure | jbox.sys.SyscallException | jbox.linux.NotRunnableException | IllegalStateException | IllegalArgumentException e) {
                fail(rt, e.getMessage());
                if (System.getenv("JBOX_DEBUG") != null) e.printStackTrace(err()); // as jbox's own commands do
            } catch (Exception e) {
                fail(rt, e.toString());
                if (System.getenv("JBOX_DEBUG") != null) e.printStackTrace(err());
            }
            return 1;
        }

        private void fail(OciRuntime rt, String msg) {
            if (rt != null) rt.log().error(msg); else err().println(msg);
        }

        abstract int run(OciRuntime rt) throws Exception;
    }

    @Command(name = "create", description = "Create a container from a bundle; its process waits until start")
    public static final class Create extends Base {
        @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory (default: the current one)") String bundle = ".";
        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's process id there") String pidFile;
        @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Send the terminal's master end there (process.terminal)") String consoleSocket;
        @Option(names = "--preserve-fds", paramLabel = "N", description = "Pass N more descriptors (from 3) to the container") int preserveFds;
        @Option(names = "--no-pivot", description = "Refused: jbox always uses pivot_root") boolean noPivot;
        @Option(names = "--no-new-keyring", description = "Accepted: jbox does not make session keyrings") boolean noNewKeyring;
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) throws Exception {
            if (noPivot) throw new OciException("--no-pivot is not supported: jbox always uses pivot_root");
            rt.create(id, Path.of(bundle), pidFile, consoleSocket, preserveFds);
            return 0;
        }
    }

    @Command(name = "start", description = "Start a created container: its program runs")
    public static final class Start extends Base {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) throws Exception {
            rt.start(id);
            return 0;
        }
    }

    @Command(name = "run", description = "Create and start a container, and wait for it (unless --detach)")
    public static final class Run extends Base {
        @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory") String bundle = ".";
        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's process id there") String pidFile;
        @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Send the terminal's master end there") String consoleSocket;
        @Option(names = {"-d", "--detach"}, description = "Do not wait for the container") boolean detach;
        @Option(names = "--keep", description = "Do not delete the container after it exits") boolean keep;
        @Option(names = "--preserve-fds", paramLabel = "N", description = "Pass N more descriptors (from 3)") int preserveFds;
        @Option(names = "--no-pivot", description = "Refused") boolean noPivot;
        @Option(names = "--no-new-keyring", description = "Accepted") boolean noNewKeyring;
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) throws Exception {
            if (noPivot) throw new OciException("--no-pivot is not supported: jbox always uses pivot_root");
            OciRuntime.Created c = rt.create(id, Path.of(bundle), pidFile, consoleSocket, preserveFds);
            rt.start(id);
            if (detach) return 0;
            int code = Linux.exitCode(Sys.waitpid(c.process().pid));
            if (!keep) rt.delete(id, true);
            return code;
        }
    }

    @Command(name = "state", description = "Print the container's state as the OCI specification's JSON")
    public static final class State extends Base {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) {
            out().println(OciRuntime.json(rt.state(id)));
            return 0;
        }
    }

    @Command(name = "kill", description = "Send a signal (default SIGTERM) to the container's process, or with --all to all of them")
    public static final class Kill extends Base {
        @Option(names = {"-a", "--all"}, description = "Signal every process in the container") boolean all;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", arity = "0..1", paramLabel = "SIGNAL") String signal = "SIGTERM";

        @Override
        int run(OciRuntime rt) throws Exception {
            int sig;
            try {
                sig = Signals.parse(signal);
            } catch (IllegalArgumentException e) {
                throw new OciException("invalid signal \"" + signal + "\"");
            }
            rt.kill(id, sig, all);
            return 0;
        }
    }

    @Command(name = "delete", description = "Remove a stopped container (--force: kill it first)")
    public static final class Delete extends Base {
        @Option(names = {"-f", "--force"}, description = "Kill the container first if it runs") boolean force;
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) throws Exception {
            rt.delete(id, force);
            return 0;
        }
    }

    @Command(name = "pause", description = "Freeze every process of the container")
    public static final class Pause extends Base {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) {
            rt.pause(id, true);
            return 0;
        }
    }

    @Command(name = "resume", description = "Thaw a paused container")
    public static final class Resume extends Base {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) {
            rt.pause(id, false);
            return 0;
        }
    }

    @Command(name = "ps", description = "The container's processes (--format json: their pids)")
    public static final class Ps extends Base {
        @Option(names = {"-f", "--format"}, paramLabel = "table|json", description = "Output format") String format = "table";
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1..*", paramLabel = "PS_ARGS") java.util.List<String> psArgs = new ArrayList<>();

        @Override
        int run(OciRuntime rt) throws Exception {
            java.util.List<Integer> pids = rt.pids(id);
            if (format.equals("json")) {
                out().println(Json.MAPPER.writeValueAsString(pids));
                return 0;
            }
            java.util.List<String> cmd = new ArrayList<>(java.util.List.of("ps"));
            cmd.addAll(psArgs.isEmpty() ? java.util.List.of("-ef") : psArgs);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            java.util.List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            p.waitFor();
            if (lines.isEmpty()) return 0;
            int col = java.util.Arrays.asList(lines.get(0).trim().split("\\s+")).indexOf("PID");
            if (col < 0) throw new OciException("couldn't find PID field in ps output");
            out().println(lines.get(0));
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.trim().split("\\s+");
                if (f.length > col && pids.contains(Integer.parseInt(f[col]))) out().println(l);
            }
            return 0;
        }
    }

    @Command(name = "update", description = "Change the container's cgroup limits (--resources FILE, or the flags)")
    public static final class Update extends Base {
        @Option(names = {"-r", "--resources"}, paramLabel = "FILE", description = "linux.resources as JSON ('-': stdin)") String resources;
        @Option(names = {"-m", "--memory"}, paramLabel = "BYTES", description = "Memory limit") Long memory;
        @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Memory plus swap limit") Long memorySwap;
        @Option(names = "--cpu-shares", paramLabel = "N", description = "CPU shares") Long cpuShares;
        @Option(names = "--cpu-quota", paramLabel = "US", description = "CPU quota per period") Long cpuQuota;
        @Option(names = "--cpu-period", paramLabel = "US", description = "CPU period") Long cpuPeriod;
        @Option(names = "--cpuset-cpus", paramLabel = "CPUS", description = "CPUs allowed") String cpusetCpus;
        @Option(names = "--pids-limit", paramLabel = "N", description = "Most processes") Long pidsLimit;
        @Option(names = "--blkio-weight", paramLabel = "N", description = "IO weight") Integer blkioWeight;
        @Option(names = "--memory-reservation", paramLabel = "BYTES", description = "Memory soft limit") Long memoryReservation;
        @Option(names = "--kernel-memory-tcp", paramLabel = "BYTES", description = "Kernel TCP buffer limit (cgroup v1)") Long kernelMemoryTcp;
        @Option(names = "--cpuset-mems", paramLabel = "MEMS", description = "Memory nodes allowed") String cpusetMems;
        @Option(names = "--cpu-rt-runtime", paramLabel = "US", description = "Real-time runtime per period (cgroup v1)") Long cpuRtRuntime;
        @Option(names = "--cpu-rt-period", paramLabel = "US", description = "Real-time period (cgroup v1)") Long cpuRtPeriod;
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(OciRuntime rt) throws Exception {
            Resources r;
            if (resources != null) {
                byte[] b = resources.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(resources));
                r = OciConfig.resourcesFrom(Json.MAPPER.readTree(b));
            } else {
                r = new Resources(memory, memorySwap, cpuQuota, cpuShares, cpusetCpus, pidsLimit, blkioWeight, java.util.List.of(), java.util.List.of())
                        .withMemoryTuning(memoryReservation, null, null, kernelMemoryTcp).withCpuTuning(cpusetMems, cpuPeriod, cpuRtRuntime, cpuRtPeriod);
            }
            rt.update(id, r);
            return 0;
        }
    }

    @Command(name = "list", aliases = "ls", description = "List the containers under the runtime root")
    public static final class List extends Base {
        @Option(names = {"-f", "--format"}, paramLabel = "table|json", description = "Output format") String format = "table";
        @Option(names = {"-q", "--quiet"}, description = "Only ids") boolean quiet;

        @Override
        int run(OciRuntime rt) throws Exception {
            java.util.List<Map<String, Object>> all = rt.list();
            if (format.equals("json")) {
                out().println(Json.MAPPER.writeValueAsString(all));
            } else if (quiet) {
                for (Map<String, Object> s : all) out().println(s.get("id"));
            } else {
                java.util.List<String[]> rows = jbox.text.Format.rows("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (Map<String, Object> s : all) {
                    rows.add(new String[] {String.valueOf(s.get("id")), String.valueOf(s.get("pid")), String.valueOf(s.get("status")),
                            String.valueOf(s.get("bundle")), String.valueOf(s.get("created")), "root"});
                }
                out().print(jbox.text.Format.table(rows));
            }
            return 0;
        }
    }

    @Command(name = "exec", description = "Run one more process in a running container")
    public static final class Exec extends Base {
        @Option(names = {"-p", "--process"}, paramLabel = "FILE", description = "The process as OCI JSON (args, env, cwd, user, terminal, capabilities)") String process;
        @Option(names = {"-t", "--tty"}, description = "Allocate a terminal") boolean tty;
        @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Send the terminal's master end there") String consoleSocket;
        @Option(names = {"-d", "--detach"}, description = "Do not wait for the process") boolean detach;
        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process id there") String pidFile;
        @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory") String cwd;
        @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Environment variables") java.util.List<String> env = new ArrayList<>();
        @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "The user") String user;
        @Option(names = "--preserve-fds", paramLabel = "N", description = "Refused when not 0") int preserveFds;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1..*", paramLabel = "COMMAND") java.util.List<String> command = new ArrayList<>();

        @Override
        int run(OciRuntime rt) throws Exception {
            if (preserveFds != 0) throw new OciException("exec --preserve-fds is not supported by jbox");
            return new OciExec(rt).exec(id, process == null ? null : Json.MAPPER.readTree(Files.readAllBytes(Path.of(process))), command, env, cwd, user,
                    tty, consoleSocket, detach, pidFile);
        }
    }

    @Command(name = "spec", description = "Write a default config.json into the bundle directory")
    public static final class SpecCmd extends Base {
        @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "Where to write it") String bundle = ".";
        @Option(names = "--rootless", description = "Refused: jbox's runtime needs root") boolean rootless;

        @Override
        int run(OciRuntime rt) throws Exception {
            if (rootless) throw new OciException("--rootless is not supported: jbox's runtime needs root");
            Path f = Path.of(bundle).resolve("config.json");
            if (Files.exists(f)) throw new OciException("File " + f + " exists. Remove it first");
            Files.writeString(f, DefaultSpec.JSON);
            return 0;
        }
    }

    @Command(name = "features", description = "What this runtime supports, as the OCI features JSON")
    public static final class Features extends Base {
        @Override
        int run(OciRuntime rt) {
            out().println(DefaultSpec.FEATURES);
            return 0;
        }
    }

    @Command(name = "checkpoint", description = "Refused: checkpointing needs CRIU, which jbox does not drive")
    public static final class Checkpoint extends Base {
        @Parameters(arity = "0..*") java.util.List<String> ignored;

        @Override
        int run(OciRuntime rt) { throw new OciException("checkpoint is not supported by jbox (it needs CRIU)"); }
    }

    @Command(name = "restore", description = "Refused: restoring needs CRIU, which jbox does not drive")
    public static final class Restore extends Base {
        @Parameters(arity = "0..*") java.util.List<String> ignored;

        @Override
        int run(OciRuntime rt) { throw new OciException("restore is not supported by jbox (it needs CRIU)"); }
    }

    @Command(name = "events", description = "Refused: jbox's runtime has no event stream")
    public static final class Events extends Base {
        @Parameters(arity = "0..*") java.util.List<String> ignored;

        @Override
        int run(OciRuntime rt) { throw new OciException("events is not supported by jbox's runtime"); }
    }



}
