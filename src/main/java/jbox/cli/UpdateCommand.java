package jbox.cli;

import jbox.api.ResourcesJson;

import jbox.cgroup.Resources;
import jbox.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "update", description = "Update the resource limits of one or more containers")
final class UpdateCommand extends EachContainerCommand {
    @Mixin ResourceOptions limits;
    private Resources changes;

    @Override
    void prepare() { changes = limits.resources(); }

    @Override
    void apply(ApiClient api, String container) { api.call("POST", "/containers/" + ApiClient.seg(container) + "/update", jbox.api.ResourcesJson.updateBody(changes)); }
}
