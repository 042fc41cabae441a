package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import dev.tickroom.player.ResumeTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resume tokens as an attacker tries them, over real TCP against a node started as README's first command
 * starts it (no CLUSTER_SECRET: the cluster generates its secret).
 */
@Timeout(120)
class ResumeSecurityTest {
  /** Every secret that is or was written in this repository (configs, scripts, tests, docs). */
  static final List<String> PUBLISHED = List.of("change-me-in-production", "local-cluster-secret", "compose-dev-secret",
      "replace-me-with-a-long-random-string", "cluster-secret", "another-secret", "secret");
  static Node node;
  final List<WireClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString("tickroom.auth.failed-hellos.burst = 1000")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(WireClient::close);
  }

  WireClient client() {
    WireClient c = new TcpWireClient(node.gameAddress());
    clients.add(c);
    return c;
  }

  static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static void resume(WireClient c, String name, String token) {
    c.send("{\"type\":\"hello\",\"name\":\"" + name + "\",\"resume\":\"" + token + "\"}");
  }

  /** The victim still holds its seat: nothing but states came, and a ping is answered in order. */
  static void stillSeated(WireClient victim) {
    victim.send("{\"type\":\"ping\",\"t\":\"still-here\"}");
    JsonNode m = victim.nextNonState();
    assertEquals("pong", m.get("type").asText(), "the victim's next message: " + m);
  }

  @Test
  void aTokenMintedWithAnyPublishedSecretNeverYieldsARoomMatesId() throws Exception {
    WireClient victim = client();
    String victimId = victim.hello("victim").get("player").asText();
    assertEquals("joined", victim.join("forge-1", "arena").get("type").asText());
    WireClient mallory = client();
    JsonNode own = mallory.hello("mallory");
    assertEquals("joined", mallory.join("forge-1", "arena").get("type").asText()); // sees victimId in the state
    String kid = own.get("resume").asText().split("\\.")[1];

    long now = System.currentTimeMillis();
    for (String secret : PUBLISHED) {
      List<String> forged = new ArrayList<>();
      String v1 = victimId + "." + now;
      forged.add(v1 + "." + hmac(secret, v1)); // the v1 format, as the old default secret signed it
      for (String keyId : List.of(kid, "k1")) {
        String body = "t2." + keyId + "." + b64(victimId) + "." + ResumeTokens.newNonce();
        forged.add(body + "." + hmac(secret, body));
      }
      for (String token : forged) {
        WireClient attacker = client();
        resume(attacker, "mallory", token);
        assertEquals("bad_request", attacker.error(), secret);
        JsonNode welcome = attacker.awaitType("welcome");
        assertNotEquals(victimId, welcome.get("player").asText(), "forged with '" + secret + "'");
        attacker.close();
      }
    }
    stillSeated(victim);
  }

  @Test
  void aUsedTokenIsRefusedAndNeverGivesTheOldPlayerBack() {
    WireClient first = client();
    JsonNode w1 = first.hello("ann");
    String id = w1.get("player").asText();
    assertEquals("joined", first.join("replay-1", "arena").get("type").asText());
    first.abort();

    WireClient second = client();
    resume(second, "ann", w1.get("resume").asText());
    JsonNode w2 = second.awaitType("welcome");
    assertEquals(id, w2.get("player").asText());
    assertEquals("replay-1", second.awaitType("joined").get("room").asText());
    assertNotEquals(w1.get("resume").asText(), w2.get("resume").asText(), "each welcome issues a new token");

    // the first token again, while the player is connected: refused, the seat stays with its holder
    WireClient replay = client();
    resume(replay, "ann", w1.get("resume").asText());
    assertEquals("bad_request", replay.error());
    assertNotEquals(id, replay.awaitType("welcome").get("player").asText());
    stillSeated(second);

    // and after the player left: still refused
    second.abort();
    WireClient later = client();
    resume(later, "ann", w1.get("resume").asText());
    assertEquals("bad_request", later.error());
    assertNotEquals(id, later.awaitType("welcome").get("player").asText());
  }

  @Test
  void aPlayersCurrentTokenReplacesItsOwnLiveConnection() {
    WireClient first = client();
    JsonNode w1 = first.hello("ann");
    assertEquals("joined", first.join("own-1", "arena").get("type").asText());
    WireClient second = client();
    resume(second, "ann", w1.get("resume").asText());
    assertEquals(w1.get("player").asText(), second.awaitType("welcome").get("player").asText());
    assertEquals("own-1", second.awaitType("joined").get("room").asText());
    assertEquals("own-1", first.awaitType("left").get("room").asText());
    assertEquals("session_replaced", first.error());
    assertTrue(first.closedWithin(Duration.ofSeconds(5)));
  }

  @Test
  void welcomeListsTheFeaturesOfThisNode() {
    JsonNode w = client().hello("ann");
    assertTrue(w.get("features").isArray(), w.toString());
    for (JsonNode f : w.get("features")) assertNotEquals("auth", f.asText(), "no authenticator configured");
  }
}
