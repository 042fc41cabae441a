package dev.tickroom.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WireClient;
import dev.tickroom.player.ResumeTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node with {@code authenticator = jwt} (HS256), over real TCP: who gets in, who does not, and why. */
@Timeout(120)
class AuthTest {
  static final String ISSUER = "https://login.example.test";
  static final String AUDIENCE = "tickroom-test";
  /** Made for this run, so no secret written anywhere signs a token this node accepts. */
  static final String SECRET = Base64.getEncoder().encodeToString(ResumeTokens.newSecret());
  static Node node;
  final List<WireClient> clients = new ArrayList<>();

  static Config config(String authenticator) {
    return ConfigFactory.parseString("tickroom.games.teams = \"dev.tickroom.auth.TeamGame\"\n"
            + "tickroom.auth.failed-hellos.burst = 1000\n"
            + "test.guest-list = [ann]\n")
        .withValue("tickroom.auth.authenticator", ConfigValueFactory.fromAnyRef(authenticator))
        .withValue("tickroom.auth.jwt.hs256-secret", ConfigValueFactory.fromAnyRef(SECRET))
        .withValue("tickroom.auth.jwt.issuer", ConfigValueFactory.fromAnyRef(ISSUER))
        .withValue("tickroom.auth.jwt.audience", ConfigValueFactory.fromAnyRef(AUDIENCE))
        .withFallback(ConfigFactory.load("application-test"));
  }

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(config("jwt"), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(WireClient::close);
  }

  WireClient client(Node n) {
    WireClient c = new TcpWireClient(n.gameAddress());
    clients.add(c);
    return c;
  }

  static JWTClaimsSet.Builder claims(String sub) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject(sub).issuer(ISSUER).audience(AUDIENCE)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
  }

  static String hs256(JWTClaimsSet claims, String secret) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(Consumer<JWTClaimsSet.Builder> change) {
    JWTClaimsSet.Builder b = claims("user-1");
    change.accept(b);
    return hs256(b.build(), SECRET);
  }

  static void helloWith(WireClient c, String token) {
    c.send("{\"type\":\"hello\",\"name\":\"ann\"" + (token == null ? "" : ",\"token\":\"" + token + "\"") + "}");
  }

  /** The hello is refused with unauthorized, the message says why, and the connection closes. */
  void assertRefused(String token, String why) {
    WireClient c = client(node);
    helloWith(c, token);
    JsonNode error = c.nextNonState();
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals("unauthorized", error.get("code").asText(), error.toString());
    assertTrue(error.get("message").asText().contains(why), "'" + why + "' in " + error);
    assertTrue(c.closedWithin(Duration.ofSeconds(5)), "closed after unauthorized");
  }

  @Test
  void aValidTokenIsWelcomedWithItsSubjectAsThePlayerIdAndTheGameSeesItsClaims() {
    WireClient c = client(node);
    helloWith(c, token(b -> b.claim("team", "red")));
    JsonNode welcome = c.awaitType("welcome");
    assertEquals("user-1", welcome.get("player").asText());
    assertTrue(welcome.get("features").toString().contains("\"auth\""), welcome.toString());
    JsonNode joined = c.join("teams-1", "teams");
    assertEquals("red", joined.get("state").get("teams").get("user-1").asText(), joined.toString());
  }

  @Test
  void everyBadTokenIsRefusedWithItsReasonAndTheConnectionCloses() {
    assertRefused(null, "missing token");
    assertRefused(token(b -> b.expirationTime(Date.from(Instant.now().minusSeconds(120)))), "expired");
    assertRefused(token(b -> b.audience("another-game")), "wrong audience");
    assertRefused(token(b -> b.issuer("https://evil.example")), "wrong issuer");
    assertRefused(token(b -> b.notBeforeTime(Date.from(Instant.now().plusSeconds(600)))), "not valid yet");
    assertRefused(hs256(claims("user-1").build(), Base64.getEncoder().encodeToString(ResumeTokens.newSecret())), "bad signature");
    // tampered: the payload says another user, the signature is the original one
    String[] parts = token(b -> {}).split("\\.");
    String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims("admin").build().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertRefused(parts[0] + "." + otherPayload + "." + parts[2], "bad signature");
    assertRefused("not-a-jwt", "malformed");
    // unsecured (alg none) tokens are never accepted
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
        + "." + parts[1] + ".";
    assertRefused(none, "rejected");
  }

  @Test
  void aTokenOver8KiBIsABadRequest() {
    WireClient c = client(node);
    helloWith(c, "x".repeat(8193));
    assertEquals("bad_request", c.error());
  }

  @Test
  void aNewerConnectionOfTheSameUserReplacesTheOlderOneAndTakesItsSeat() {
    WireClient first = client(node);
    helloWith(first, token(b -> b.subject("user-2")));
    assertEquals("user-2", first.awaitType("welcome").get("player").asText());
    assertEquals("joined", first.join("teams-2", "teams").get("type").asText());

    WireClient second = client(node);
    helloWith(second, token(b -> b.subject("user-2")));
    assertEquals("user-2", second.awaitType("welcome").get("player").asText());
    assertEquals("teams-2", second.awaitType("joined").get("room").asText(), "back in its room");
    assertEquals("teams-2", first.awaitType("left").get("room").asText());
    assertEquals("session_replaced", first.error());
    assertTrue(first.closedWithin(Duration.ofSeconds(5)));

    // in no room too: the older connection is told and closed
    WireClient lobby = client(node);
    helloWith(lobby, token(b -> b.subject("user-3")));
    lobby.awaitType("welcome");
    WireClient again = client(node);
    helloWith(again, token(b -> b.subject("user-3")));
    assertEquals("user-3", again.awaitType("welcome").get("player").asText());
    assertEquals("session_replaced", lobby.error());
    assertTrue(lobby.closedWithin(Duration.ofSeconds(5)));
  }

  @Test
  void theGameRefusesAPlayerByAClaim() {
    WireClient c = client(node);
    helloWith(c, token(b -> b.subject("user-4").claim("banned", true)));
    c.awaitType("welcome");
    JsonNode answer = c.join("teams-3", "teams");
    assertEquals("banned", answer.get("code").asText(), answer.toString());
  }

  @Test
  void failedHellosFromOneAddressAreRateLimitedThenEvenAGoodTokenIsRefused() throws Exception {
    Node strict = Node.start(ConfigFactory.parseString(
        "tickroom.auth.failed-hellos { burst = 2, per-second = 0.001 }").withFallback(config("jwt")), Duration.ofSeconds(30));
    try {
      for (int i = 0; i < 2; i++) {
        WireClient c = client(strict);
        helloWith(c, "not-a-jwt");
        assertEquals("unauthorized", c.error());
      }
      WireClient c = client(strict);
      helloWith(c, token(b -> {}));
      assertEquals("rate_limited", c.error());
      assertTrue(c.closedWithin(Duration.ofSeconds(5)));
    } finally {
      strict.stop();
    }
  }

  @Test
  void aStudiosOwnAuthenticatorIsLoadedByClassName() throws Exception {
    Node custom = Node.start(config(GuestListAuthenticator.class.getName()), Duration.ofSeconds(30));
    try {
      WireClient ann = client(custom);
      helloWith(ann, "ann:blue");
      JsonNode welcome = ann.awaitType("welcome");
      assertEquals("guest-ann", welcome.get("player").asText());
      assertEquals("blue", ann.join("teams-4", "teams").get("state").get("teams").get("guest-ann").asText());
      WireClient bob = client(custom);
      helloWith(bob, "bob:red");
      JsonNode error = bob.nextNonState();
      assertEquals("unauthorized", error.get("code").asText());
      assertEquals("not on the guest list", error.get("message").asText());
      assertTrue(bob.closedWithin(Duration.ofSeconds(5)));
    } finally {
      custom.stop();
    }
  }
}
