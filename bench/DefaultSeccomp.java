import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jbox.io.Json;
import jbox.linux.Capabilities;
import jbox.linux.SeccompProfiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives an OCI bundle's config.json the seccomp filter jbox, podman and docker give a container by default:
 * jbox's default profile (Docker's), resolved for the config's bounding capabilities by the engine's own
 * code, as a container jbox starts would get it. Without it runc's and crun's containers would run unfiltered
 * against jbox's filtered ones: the filter costs each a program in kernel memory and its compilation at every
 * start. Usage: java -cp JBOX_CLASSPATH bench/DefaultSeccomp.java CONFIG_JSON
 */
public class DefaultSeccomp {
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        ObjectNode c = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(config));
        List<String> bounding = new ArrayList<>();
        for (JsonNode cap : c.path("process").path("capabilities").path("bounding")) bounding.add(cap.asText());
        ((ObjectNode) c.path("linux")).set("seccomp", SeccompProfiles.defaultFor(Capabilities.mask(bounding)));
        Files.write(config, Json.bytes(c));
    }
}
