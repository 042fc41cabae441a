package dev.tickroom.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WireClient;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code authenticator = jwt} with the keys at a JWKS URL: an identity service made in the test (the JDK's
 * HTTP server on loopback) publishes an RSA and an EC key generated in the test.
 */
@Timeout(120)
class JwksTest {
  static HttpServer identityService;
  static final AtomicInteger fetches = new AtomicInteger();
  static RSAKey rsa;
  static ECKey ec;
  static Node node;

  @BeforeAll
  static void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    byte[] jwks = new JWKSet(java.util.List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8);
    identityService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    identityService.createContext("/.well-known/jwks.json", exchange -> {
      fetches.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(jwks);
      }
    });
    identityService.start();
    String url = "http://127.0.0.1:" + identityService.getAddress().getPort() + "/.well-known/jwks.json";
    node = Node.start(ConfigFactory.parseString("tickroom.auth.authenticator = jwt\ntickroom.auth.failed-hellos.burst = 1000")
        .withValue("tickroom.auth.jwt.jwks-url", ConfigValueFactory.fromAnyRef(url))
        .withValue("tickroom.auth.jwt.issuer", ConfigValueFactory.fromAnyRef(AuthTest.ISSUER))
        .withValue("tickroom.auth.jwt.audience", ConfigValueFactory.fromAnyRef(AuthTest.AUDIENCE))
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (identityService != null) identityService.stop(0);
  }

  static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, String sub) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), AuthTest.claims(sub).build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  static JsonNode hello(String token) {
    try (WireClient c = new TcpWireClient(node.gameAddress())) {
      AuthTest.helloWith(c, token);
      return c.nextNonState();
    }
  }

  @Test
  void rs256AndEs256TokensSignedByPublishedKeysAreAdmittedAndTheKeysAreFetchedOnce() throws Exception {
    int before = fetches.get();
    JsonNode w1 = hello(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "rsa-user"));
    assertEquals("rsa-user", w1.get("player").asText(), w1.toString());
    JsonNode w2 = hello(sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), "ec-user"));
    assertEquals("ec-user", w2.get("player").asText(), w2.toString());
    for (int i = 0; i < 3; i++) assertEquals("welcome", hello(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "u" + i)).get("type").asText());
    assertTrue(fetches.get() - before <= 1, "the JWKS is cached: " + (fetches.get() - before) + " fetches for 5 logins");
    assertTrue(fetches.get() >= 1);
  }

  @Test
  void aTokenSignedByAnUnpublishedKeyIsRefusedAndUnknownKeyIdsDoNotHammerTheIdentityService() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-9").generate();
    int before = fetches.get();
    for (int i = 0; i < 5; i++) {
      JsonNode error = hello(sign(JWSAlgorithm.RS256, "rsa-9", new RSASSASigner(stranger), "intruder"));
      assertEquals("unauthorized", error.get("code").asText(), error.toString());
      assertTrue(error.get("message").asText().contains("bad signature"), error.toString());
    }
    // a key signed with a published key id but another key's signature
    JsonNode forged = hello(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(stranger), "intruder"));
    assertTrue(forged.get("message").asText().contains("bad signature"), forged.toString());
    assertTrue(fetches.get() - before <= 2, "refreshes for unknown key ids are rate limited: " + (fetches.get() - before));
  }
}
