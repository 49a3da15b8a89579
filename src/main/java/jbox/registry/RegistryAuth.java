package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.io.Json;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;

/** A user name and password (or token) for one registry. */
public record RegistryAuth(String username, String password) {
    /** X-Registry-Auth, as the docker CLI sends it with a pull or push: base64url of {"username","password","serveraddress"}. */
    public String header(String server) {
        return Base64.getUrlEncoder().encodeToString(Json.bytes(Map.of("username", username, "password", password, "serveraddress", server)));
    }

    /** The credentials in an X-Registry-Auth header, or null when it carries none. */
    public static RegistryAuth fromHeader(String header) {
        if (header == null || header.isBlank()) return null;
        try {
            String h = header.trim();
            byte[] json = h.contains("+") || h.contains("/") ? Base64.getDecoder().decode(h) : Base64.getUrlDecoder().decode(h);
            JsonNode n = Json.MAPPER.readTree(json);
            String user = n.path("username").asText("");
            if (user.isEmpty() && n.hasNonNull("identitytoken")) return new RegistryAuth("<token>", n.get("identitytoken").asText());
            return user.isEmpty() ? null : new RegistryAuth(user, n.path("password").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("X-Registry-Auth is not base64 JSON: " + e.getMessage());
        }
    }
}
