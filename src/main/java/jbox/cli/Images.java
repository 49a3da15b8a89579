package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.api.ApiErrors;
import jbox.client.ApiClient;
import jbox.io.Json;
import jbox.image.Reference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** docker pull through the API: the daemon streams progress objects, the last one an error if it failed. */
public final class Images {
    private Images() {}

    static void pull(ApiClient api, String name, PrintWriter progress) {
        Reference ref = Reference.parse(name);
        String tag = ref.digest() != null ? ref.digest().toString() : ref.tag() != null ? ref.tag() : "latest";
        String query = "fromImage=" + URLEncoder.encode(ref.familiarRepository(), StandardCharsets.UTF_8) + "&tag=" + URLEncoder.encode(tag, StandardCharsets.UTF_8);
        try (ApiClient.Response r = api.open("POST", "/images/create?" + query, null, false, authHeader(ref))) {
            printProgress(r, progress);
        } catch (IOException e) {
            throw new jbox.sys.Failure("lost the daemon while pulling " + name + ": " + e.getMessage(), "the daemon stopped", "pull again");
        }
    }

    static void push(ApiClient api, String name, PrintWriter progress) {
        Reference ref = Reference.parse(name);
        String path = "/images/" + ref.familiarRepository() + "/push" + (ref.tag() != null ? "?tag=" + URLEncoder.encode(ref.tag(), StandardCharsets.UTF_8) : "");
        try (ApiClient.Response r = api.open("POST", path, null, false, authHeader(ref))) {
            printProgress(r, progress);
        } catch (IOException e) {
            throw new jbox.sys.Failure("lost the daemon while pushing " + name + ": " + e.getMessage(), "the daemon stopped", "push again");
        }
    }

    /** The login saved for the image's registry (jbox login), passed as docker does. */
    static Map<String, String> authHeader(Reference ref) throws IOException {
        jbox.registry.RegistryAuth auth = jbox.registry.Credentials.lookup(ref.registry());
        return auth == null ? Map.of() : Map.of("X-Registry-Auth", auth.header(ref.registry()));
    }

    /** Prints the daemon's progress objects; the error object that ends a failed one becomes the error. */
    private static void printProgress(ApiClient.Response r, PrintWriter progress) throws IOException {
        ProgressBoard board = new ProgressBoard(progress, System.console() != null && jbox.sys.Sys.isatty(1));
        eachMessage(r, n -> {
            JsonNode detail = n.path("progressDetail");
            board.show(n.hasNonNull("id") ? n.get("id").asText() : null, n.path("status").asText(),
                    detail.has("current") ? detail.path("current").asLong() : -1, detail.has("total") ? detail.path("total").asLong() : -1);
        });
    }

    /** Each JSON object of a streamed answer (pull, push, load); an {"error": ...} object is thrown as the error it names. */
    static void eachMessage(ApiClient.Response r, java.util.function.Consumer<JsonNode> each) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            JsonNode n = Json.MAPPER.readTree(line);
            if (n.has("error")) throw ApiErrors.fromBody(500, Json.MAPPER.convertValue(n, Map.class));
            each.accept(n);
        }
    }
}
