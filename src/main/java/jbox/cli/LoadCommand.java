package jbox.cli;

import jbox.api.ApiErrors;
import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** docker load: images from a docker-archive or OCI archive tar (from docker save, podman save, skopeo). */
@Command(name = "load", description = "Load images from a tar archive (docker-archive or OCI archive) or STDIN")
final class LoadCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-i", "--input"}, description = "Read from a tar archive file, instead of STDIN") Path input;

    @Override
    public void run() {
        Path file = input;
        Path tmp = null;
        try {
            if (file == null) {
                tmp = Files.createTempFile("jbox-load-", ".tar");
                Files.copy(System.in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                file = tmp;
            }
            if (!Files.isRegularFile(file)) throw new Failure("no such file: " + file, null, "check the path given to -i");
            try (ApiClient.Response r = Api.client().upload("/images/load", file)) {
                if (r.status >= 400) throw ApiErrors.fromBody(r.status, Json.MAPPER.readValue(r.body.readAllBytes(), Map.class));
                Images.eachMessage(r, n -> spec.commandLine().getOut().print(n.path("stream").asText()));
            }
        } catch (IOException e) {
            throw new Failure("cannot load " + (input == null ? "STDIN" : input) + ": " + e.getMessage(), "the file is unreadable or the daemon stopped", "check and try again");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
