package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** docker info: what this jbox runs on, which engine answers, and which cgroup tree holds each controller. */
@Command(name = "info", description = "Display system-wide information")
final class InfoCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        ApiClient api = Api.client();
        JsonNode i = api.call("GET", "/info", null);
        var out = spec.commandLine().getOut();
        out.println("Containers: " + i.path("Containers").asLong());
        out.println(" Running: " + i.path("ContainersRunning").asLong());
        out.println(" Paused: " + i.path("ContainersPaused").asLong());
        out.println(" Stopped: " + i.path("ContainersStopped").asLong());
        out.println("Images: " + i.path("Images").asLong());
        JsonNode d = i.path("JboxDaemon");
        out.println("Engine: " + api.description()
                + (d.has("Pid") && !"in-process".equals(d.path("Mode").asText()) ? ", pid " + d.path("Pid").asInt()
                + (d.has("KeeperPid") ? " (keeper pid " + d.path("KeeperPid").asInt() + ")" : "") : ""));
        out.println("Root Dir: " + i.path("DockerRootDir").asText());
        JsonNode rootless = i.path("JboxRootless");
        if (rootless.has("HostUid")) {
            out.println("Mode: rootless: uid 0 in jbox and its containers is uid " + rootless.path("HostUid").asLong() + " on the host");
            out.println(" user namespace ids (inside, host, count): " + rootless.path("UidMap").asText());
            out.println(" network: " + rootless.path("Network").asText() + " (user-mode; --network none works too)");
        } else {
            out.println("Mode: root");
        }
        out.println("Cgroup Version: " + i.path("JboxCgroupMode").asText());
        i.path("JboxCgroupControllers").fields().forEachRemaining(e -> out.println(" " + e.getKey() + ": " + e.getValue().asText()));
        if (i.has("JboxCgroupUnavailable")) out.println(" no limits: " + i.path("JboxCgroupUnavailable").asText());
        out.println("Kernel Version: " + i.path("KernelVersion").asText());
        out.println("Architecture: " + i.path("Architecture").asText());
        out.println("CPUs: " + i.path("NCPU").asInt());
    }
}
