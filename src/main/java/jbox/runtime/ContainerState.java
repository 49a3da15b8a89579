package jbox.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Resources;
import jbox.io.Json;
import jbox.linux.Storage;
import jbox.net.Networking;

import java.util.List;

/**
 * A container as recorded on disk (ROOT/containers/ID/state.json): what it is ({@link ContainerConfig})
 * and what it is doing ({@link RunState}). Written atomically by the process that owns the
 * container; any jbox process may read it. The accessors read through to either part.
 */
public record ContainerState(ContainerConfig config, RunState state) {

    /** Reads both this form and the flat one of jbox versions before the split. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ContainerState fromJson(JsonNode n) {
        try {
            if (n.has("config")) {
                return new ContainerState(Json.MAPPER.treeToValue(n.get("config"), ContainerConfig.class), Json.MAPPER.treeToValue(n.get("state"), RunState.class));
            }
            ContainerConfig c = Json.MAPPER.treeToValue(n, ContainerConfig.class);
            Restart r = Restart.orNo(c.restart());
            Networking net = c.network();
            Status status = Status.valueOf(n.path("status").asText("CREATED"));
            if (status == Status.RUNNING && n.path("paused").asBoolean(false)) status = Status.PAUSED;
            if (status == Status.EXITED && r.pending()) status = Status.RESTARTING;
            RunState s = new RunState(status, n.path("pid").asInt(), n.path("pidStartTime").asLong(), n.path("ownerPid").asInt(),
                    n.path("ownerStartTime").asLong(), n.path("exitCode").asInt(), text(n, "error"), text(n, "startedAt"), text(n, "finishedAt"),
                    text(n, "procMount"), n.path("oomKilled").asBoolean(false), r.count(), r.stoppedByUser(), net == null ? null : net.endpoint());
            c = new ContainerConfig(c.id(), c.name(), c.created(), c.image(), c.imageId(), c.args(), c.env(), c.workingDir(), c.user(), c.hostname(),
                    c.tty(), c.openStdin(), c.autoRemove(), c.layers(), c.resources(), c.storage(), c.restart() == null ? null : r.policyOnly(),
                    c.health(), net == null ? null : net.withEndpoint(null), c.confinement(), c.logConfig(), null, null, false);
            return new ContainerState(c, s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a container's state: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) { return n.hasNonNull(field) ? n.get(field).asText() : null; }

    @JsonProperty("config")
    public ContainerConfig config() { return config; }

    @JsonProperty("state")
    public RunState state() { return state; }

    public static ContainerState created(ContainerConfig config) { return new ContainerState(config, RunState.CREATED); }

    // What it is.
    public String id() { return config.id(); }
    public String name() { return config.name(); }
    public String created() { return config.created(); }
    public String image() { return config.image(); }
    public String imageId() { return config.imageId(); }
    public List<String> args() { return config.args(); }
    public List<String> env() { return config.env(); }
    public String workingDir() { return config.workingDir(); }
    public String user() { return config.user(); }
    public String hostname() { return config.hostname(); }
    public boolean tty() { return config.tty(); }
    public boolean openStdin() { return config.openStdin(); }
    public boolean autoRemove() { return config.autoRemove(); }
    public List<String> layers() { return config.layers(); }
    public Health health() { return config.health(); }
    public String shortId() { return id().substring(0, 12); }

    // What it is doing.
    public Status status() { return state.status(); }
    public int pid() { return state.pid(); }
    public long pidStartTime() { return state.pidStartTime(); }
    public int ownerPid() { return state.ownerPid(); }
    public long ownerStartTime() { return state.ownerStartTime(); }
    public int exitCode() { return state.exitCode(); }
    public String error() { return state.error(); }
    public String startedAt() { return state.startedAt(); }
    public String finishedAt() { return state.finishedAt(); }
    public String procMount() { return state.procMount(); }
    public boolean oomKilled() { return state.oomKilled(); }

    public ContainerState running(int pid, long pidStart, int owner, long ownerStart, String startedAt, String procMount, Networking.Endpoint endpoint) {
        return new ContainerState(config, state.running(pid, pidStart, owner, ownerStart, startedAt, procMount, endpoint));
    }

    public ContainerState exited(int exitCode, String error, String finishedAt, boolean oomKilled) {
        return new ContainerState(config, state.exited(exitCode, error, finishedAt, oomKilled));
    }

    public ContainerState failed(int exitCode, String error) { return new ContainerState(config, state.failed(exitCode, error)); }

    public ContainerState withStatus(Status s) { return new ContainerState(config, state.withStatus(s)); }

    public ContainerState withNetwork(Networking n) { return new ContainerState(config.withNetwork(n), state); }

    public ContainerState withResources(Resources r) { return new ContainerState(config.withResources(r), state); }

    public ContainerState withOwner(int owner, long ownerStart) { return new ContainerState(config, state.withOwner(owner, ownerStart)); }

    public Resources limits() { return config.resources() == null ? Resources.NONE : config.resources(); }

    /** Its restart policy with its count and whether a user stopped it; "no" for a container recorded before jbox had them. */
    public Restart restarts() {
        Restart p = Restart.orNo(config.restart());
        return new Restart(p.policy(), p.maxRetries(), state.restartCount(), state.stoppedByUser(), state.status() == Status.RESTARTING);
    }

    /** Records a restart count and user stop; pending() moves an exited container to restarting. */
    public ContainerState withRestart(Restart r) {
        RunState s = state.withRestarts(r.count(), r.stoppedByUser());
        if (r.pending() && s.status() == Status.EXITED) s = s.withStatus(Status.RESTARTING);
        if (!r.pending() && s.status() == Status.RESTARTING) s = s.withStatus(Status.EXITED);
        return new ContainerState(config, s);
    }

    /** Its mounts; none for a container recorded before jbox had them. */
    public Storage mounts() { return Storage.orNone(config.storage()); }

    /** Its network, with its address while it runs; lo only for a container recorded before jbox had networks. */
    public Networking networking() { return Networking.orNone(config.network()).withEndpoint(state.endpoint()); }

    /** Its confinement; Docker's defaults for a container recorded before jbox had them. */
    public Confinement confined() { return config.confinement() == null ? Confinement.DEFAULT : config.confinement(); }

    public LogConfig logging() { return LogConfig.orDefault(config.logConfig()); }

    public java.util.Map<String, String> labels() { return config.labels() == null ? java.util.Map.of() : config.labels(); }

    public StopRule stopRule() { return StopRule.orDefault(config.stop()); }

    /** Its address on a bridge while it runs, else null. */
    public Networking.Endpoint endpoint() { return state.endpoint(); }
}
