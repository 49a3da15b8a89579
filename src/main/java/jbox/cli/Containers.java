package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.CreateJson;
import jbox.client.ApiClient;
import jbox.engine.CreateRequest;
import jbox.sys.Failure;
import jbox.image.Reference;

import java.io.PrintWriter;

/** What create and run share: create the container, pulling its image first when it is missing, as the docker CLI does. */
public final class Containers {
    private Containers() {}

    /** Returns the new container's id. pull: docker's --pull, missing, always or never. */
    static String create(ApiClient api, CreateRequest req, String pull, PrintWriter progress) {
        String path = "/containers/create" + (req.name() == null ? "" : "?name=" + ApiClient.seg(req.name()));
        switch (pull) {
            case "missing" -> { }
            case "always" -> Images.pull(api, req.image(), progress);
            case "never" -> {
                try {
                    api.call("GET", "/images/" + ApiClient.imageSeg(req.image()) + "/json", null);
                } catch (Failure e) {
                    if (e.httpStatus() != 404) throw e;
                    throw new Failure("No such image: " + req.image(), "--pull never uses only images already here",
                            "pull it first (jbox pull " + req.image() + "), or use --pull missing").httpStatus(404);
                }
                return created(api.call("POST", path, CreateJson.createBody(req)), progress);
            }
            default -> throw new Failure("invalid pull option: '" + pull + "'", "--pull takes missing, always or never", "e.g. --pull always");
        }
        try {
            return created(api.call("POST", path, CreateJson.createBody(req)), progress);
        } catch (Failure e) {
            if (e.httpStatus() != 404 || !e.getMessage().startsWith("No such image")) throw e;
        }
        String image = Reference.parse(req.image()).familiar();
        progress.println("Unable to find image '" + image + "' locally");
        Images.pull(api, req.image(), progress);
        return created(api.call("POST", path, CreateJson.createBody(req)), progress);
    }

    /** The new id; the daemon's Warnings (limits it cannot enforce, ports it discards) are said as docker says them. */
    private static String created(JsonNode response, PrintWriter progress) {
        for (JsonNode w : response.path("Warnings")) progress.println(w.asText());
        return response.path("Id").asText();
    }

    static JsonNode inspect(ApiClient api, String nameOrId) {
        return api.call("GET", "/containers/" + ApiClient.seg(nameOrId) + "/json", null);
    }

    static String name(JsonNode inspect) { return inspect.path("Name").asText().substring(1); }
}
