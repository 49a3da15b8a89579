package jbox.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jbox.io.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token service for the distribution registry's token auth, as small as the tests need: it
 * checks a user's password (HTTP Basic) and answers {"token", "expires_in"} with an RS256 JWT
 * whose header carries the signing certificate (x5c), granting the scopes asked for.
 */
final class TokenService implements AutoCloseable {
    static final String SERVICE = "jbox-test-registry";
    static final String ISSUER = "jbox-test-issuer";

    private final HttpServer server;
    private final PrivateKey key;
    private final String certificate;
    private final String user;
    private final String password;
    volatile int lifetimeSeconds = 300;
    final AtomicInteger issued = new AtomicInteger();

    /** @param keyPem PKCS#8 private key and certPem its certificate (openssl req -x509 -newkey rsa:2048 -nodes) */
    TokenService(Path keyPem, Path certPem, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        String pem = Files.readString(keyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        X509Certificate cert;
        try (var in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        certificate = Base64.getEncoder().encodeToString(cert.getEncoded());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    String realm() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/token"; }

    private void token(HttpExchange ex) throws IOException {
        String basic = ex.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(basic)) {
            byte[] no = "{\"details\":\"wrong user name or password\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, no.length);
            ex.getResponseBody().write(no);
            ex.close();
            return;
        }
        List<Map<String, Object>> access = new ArrayList<>();
        String query = ex.getRequestURI().getRawQuery();
        for (String part : query == null ? new String[0] : query.split("&")) {
            if (!part.startsWith("scope=")) continue;
            String[] scope = URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8).split(":");
            access.add(Map.of("type", scope[0], "name", scope[1], "actions", List.of(scope[2].split(","))));
        }
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", user);
        claims.put("aud", SERVICE);
        claims.put("exp", now + lifetimeSeconds);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", Long.toHexString(System.nanoTime()));
        claims.put("access", access);
        String jwt;
        try {
            String head = b64(Json.bytes(Map.of("typ", "JWT", "alg", "RS256", "x5c", List.of(certificate))));
            String body = b64(Json.bytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
            jwt = head + "." + body + "." + b64(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        issued.incrementAndGet();
        byte[] answer = Json.bytes(Map.of("token", jwt, "access_token", jwt, "expires_in", lifetimeSeconds, "issued_at", Instant.now().toString()));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, answer.length);
        ex.getResponseBody().write(answer);
        ex.close();
    }

    private static String b64(byte[] b) { return Base64.getUrlEncoder().withoutPadding().encodeToString(b); }

    @Override
    public void close() { server.stop(0); }
}
