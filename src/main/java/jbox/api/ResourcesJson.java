package jbox.api;


import com.fasterxml.jackson.databind.JsonNode;
import jbox.cgroup.Resources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's JSON for cgroup limits in HostConfig, both ways: read from a create or update body, and written into inspect and an update request. */
public final class ResourcesJson {
    private ResourcesJson() {}

    static Map<String, Object> hostConfig(Resources r, boolean autoRemove) {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", autoRemove);
        host.put("Memory", r.memory() == null ? 0 : r.memory());
        host.put("MemorySwap", r.memorySwap() == null ? 0 : r.memorySwap());
        boolean nano = r.cpuPeriod() == null; // --cpus; --cpu-quota and --cpu-period are shown as given
        host.put("NanoCpus", r.cpuQuota() == null || !nano ? 0 : r.cpuQuota() * 1_000_000_000L / Resources.CPU_PERIOD);
        host.put("CpuQuota", r.cpuQuota() == null || nano ? 0 : r.cpuQuota());
        host.put("CpuPeriod", r.cpuPeriod() == null ? 0 : r.cpuPeriod());
        host.put("CpuShares", r.cpuShares() == null ? 0 : r.cpuShares());
        host.put("CpusetCpus", r.cpusetCpus() == null ? "" : r.cpusetCpus());
        host.put("PidsLimit", r.pidsLimit());
        host.put("BlkioWeight", r.blkioWeight() == null ? 0 : r.blkioWeight());
        host.put("BlkioDeviceReadBps", rates(r.deviceReadBps()));
        host.put("BlkioDeviceWriteBps", rates(r.deviceWriteBps()));
        host.put("MemoryReservation", r.memoryReservation() == null ? 0 : r.memoryReservation());
        host.put("MemorySwappiness", r.memorySwappiness());
        host.put("OomKillDisable", Boolean.TRUE.equals(r.oomKillDisable()));
        host.put("CpusetMems", r.cpusetMems() == null ? "" : r.cpusetMems());
        host.put("CpuRealtimeRuntime", r.cpuRealtimeRuntime() == null ? 0 : r.cpuRealtimeRuntime());
        host.put("CpuRealtimePeriod", r.cpuRealtimePeriod() == null ? 0 : r.cpuRealtimePeriod());
        return host;
    }

    /** POST /containers/{id}/update's body: the limits to change (unset ones stay as they are). */
    public static Map<String, Object> updateBody(Resources r) {
        Map<String, Object> m = hostConfig(r, false);
        m.remove("AutoRemove");
        return m;
    }

    private static List<Map<String, Object>> rates(List<Resources.DeviceRate> rates) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Resources.DeviceRate d : rates) out.add(Map.of("Path", d.path(), "Rate", d.bytesPerSecond()));
        return out;
    }

    /** The resources in a HostConfig (create) or an update body; absent and zero fields stay unset, as Docker reads them. */
    public static Resources resources(JsonNode h) {
        Long nano = positive(h, "NanoCpus");
        Long quota = h.path("CpuQuota").asLong(0) == -1 ? null : positive(h, "CpuQuota"); // -1: no quota, as in Docker
        Long period = positive(h, "CpuPeriod");
        if (nano != null && (quota != null || period != null)) {
            throw ApiErrors.badRequest("Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        }
        if (period != null && (period < 1000 || period > 1_000_000)) throw ApiErrors.badRequest("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        Long cpuQuota = nano != null ? Long.valueOf(nano / (1_000_000_000L / Resources.CPU_PERIOD)) : quota;
        JsonNode pids = h.get("PidsLimit");
        Long pidsLimit = null;
        if (pids != null && !pids.isNull() && pids.asLong() != 0) pidsLimit = pids.asLong() < 0 ? -1 : pids.asLong();
        Long memory = positive(h, "Memory");
        JsonNode swap = h.get("MemorySwap");
        if (swap != null && !swap.isNull() && !swap.canConvertToLong()) throw ApiErrors.badRequest("MemorySwap must be a whole number");
        Long memorySwap = swap == null || swap.isNull() || swap.asLong() == 0 ? null : Long.valueOf(swap.asLong());
        Long shares = positive(h, "CpuShares");
        String cpuset = h.path("CpusetCpus").asText("");
        Long weight = positive(h, "BlkioWeight");
        JsonNode swappiness = h.get("MemorySwappiness");
        if (swappiness != null && !swappiness.isNull() && !swappiness.isIntegralNumber()) throw ApiErrors.badRequest("MemorySwappiness must be a whole number");
        String mems = h.path("CpusetMems").asText("");
        JsonNode rtRuntime = h.get("CpuRealtimeRuntime");
        // checked by the engine, on a create's whole set or an update merged with what the container has
        return new Resources(memory, memorySwap, cpuQuota, shares, cpuset.isEmpty() ? null : cpuset, pidsLimit,
                weight == null ? null : (int) Math.min(weight, Integer.MAX_VALUE), deviceRates(h.get("BlkioDeviceReadBps")),
                deviceRates(h.get("BlkioDeviceWriteBps")))
                .withMemoryTuning(positive(h, "MemoryReservation"),
                        swappiness == null || swappiness.isNull() || swappiness.asLong() == -1 ? null : Long.valueOf(swappiness.asLong()), // -1: unset, as in Docker
                        h.path("OomKillDisable").asBoolean(false) ? Boolean.TRUE : null, null)
                .withCpuTuning(mems.isEmpty() ? null : mems, period,
                        rtRuntime == null || rtRuntime.isNull() || rtRuntime.asLong() == 0 ? null : Long.valueOf(rtRuntime.asLong()),
                        positive(h, "CpuRealtimePeriod"));
    }

    /** A whole number that is 0 or more; 0 and absent mean unset, as Docker reads them; a negative one is refused, never dropped. */
    private static Long positive(JsonNode h, String field) {
        JsonNode n = h.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw ApiErrors.badRequest(field + " must be a whole number, not " + n);
        if (n.asLong() < 0) throw ApiErrors.badRequest(field + " can not be negative (" + n.asLong() + ")");
        return n.asLong() > 0 ? Long.valueOf(n.asLong()) : null;
    }

    private static List<Resources.DeviceRate> deviceRates(JsonNode list) {
        List<Resources.DeviceRate> out = new ArrayList<>();
        if (list == null || !list.isArray()) return out;
        for (JsonNode d : list) {
            try {
                out.add(Resources.DeviceRate.of(d.path("Path").asText(), d.path("Rate").asLong()));
            } catch (IllegalArgumentException e) {
                throw ApiErrors.badRequest(e.getMessage());
            }
        }
        return out;
    }
}
