package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jbox.io.AtomicFiles;
import jbox.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * Logins, kept as docker keeps them: config.json with {"auths": {"HOST": {"auth": base64(user:password)}}},
 * in $JBOX_CONFIG or ~/.jbox, readable by its owner only (mode 0600).
 */
public final class Credentials {
    private Credentials() {}

    public static Path file() {
        String dir = System.getenv("JBOX_CONFIG");
        return (dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".jbox")).resolve("config.json");
    }

    public static RegistryAuth lookup(String host) throws IOException {
        Path f = file();
        if (!Files.isRegularFile(f)) return null;
        JsonNode auth = Json.MAPPER.readTree(Files.readAllBytes(f)).path("auths").path(host).path("auth");
        if (auth.isMissingNode()) return null;
        String pair = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? null : new RegistryAuth(pair.substring(0, colon), pair.substring(colon + 1));
    }

    public static void save(String host, RegistryAuth a) throws IOException {
        Path f = file();
        Files.createDirectories(f.getParent());
        ObjectNode root = Files.isRegularFile(f) ? (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(f)) : Json.MAPPER.createObjectNode();
        ObjectNode auths = root.has("auths") ? (ObjectNode) root.get("auths") : root.putObject("auths");
        auths.putObject(host).put("auth", Base64.getEncoder().encodeToString((a.username() + ":" + a.password()).getBytes(StandardCharsets.UTF_8)));
        write(f, root);
    }

    public static boolean remove(String host) throws IOException {
        Path f = file();
        if (!Files.isRegularFile(f)) return false;
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(f));
        if (!(root.get("auths") instanceof ObjectNode auths) || auths.remove(host) == null) return false;
        write(f, root);
        return true;
    }

    /** Written whole and renamed in, created 0600: the file is never seen half-written or readable by others. */
    private static void write(Path f, JsonNode root) throws IOException {
        Path tmp = Files.createTempFile(f.getParent(), ".config", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        AtomicFiles.move(tmp, f);
    }
}
