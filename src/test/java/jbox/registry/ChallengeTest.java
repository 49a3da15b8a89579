package jbox.registry;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** WWW-Authenticate challenges as registries send them (Docker Hub, distribution, GitLab, Harbor). */
class ChallengeTest {
    @Test
    void dockerHubsChallenge() {
        Map<String, String> p = RegistryClient.challengeParams(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        assertEquals("https://auth.docker.io/token", p.get("realm"));
        assertEquals("registry.docker.io", p.get("service"));
        assertEquals("repository:library/busybox:pull", p.get("scope"));
    }

    @Test
    void aScopeWithCommasAndSpacesStaysWhole() {
        Map<String, String> p = RegistryClient.challengeParams(
                "Bearer realm=\"https://gitlab.example/jwt/auth\", service=\"container_registry\", scope=\"repository:a/b:pull,push repository:c:pull\"");
        assertEquals("container_registry", p.get("service"));
        assertEquals("repository:a/b:pull,push repository:c:pull", p.get("scope"));
    }

    @Test
    void keysAreCaseInsensitiveAndARealmMayBeMissing() {
        Map<String, String> p = RegistryClient.challengeParams("Bearer Realm=\"https://h/token\" , Service = \"h\"");
        assertEquals("https://h/token", p.get("realm"));
        assertEquals("h", p.get("service"));
        assertNull(RegistryClient.challengeParams("Bearer service=\"h\"").get("realm"));
        assertTrue(RegistryClient.challengeParams("Basic realm=\"Registry Realm\"").containsKey("realm"));
    }
}
