package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.auth.AuthResult;
import dev.tickroom.auth.Authenticator;
import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.room.RoomEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hello's answers, with a clock the test moves: resume tokens (once, within the grace, rotation) and authenticators. */
@Timeout(60)
class HandshakeTest {
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
  static final Duration GRACE = Duration.ofSeconds(30);

  final AtomicLong millis = new AtomicLong(1_000_000);
  final PlayerDirectory directory = new PlayerDirectory.Local(60_000);
  final ResumeTokens.Key k1 = ResumeTokens.Key.current("k1", ResumeTokens.newSecret());

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  Handshake handshake(ResumeTokens ring, FailedHellos failures, Optional<Authenticator> auth) {
    return handshake(() -> CompletableFuture.completedFuture(ring), failures, auth);
  }

  Handshake handshake(Supplier<CompletionStage<ResumeTokens>> keys, FailedHellos failures, Optional<Authenticator> auth) {
    return new Handshake(auth, Duration.ofMillis(500), keys, Duration.ofMillis(300), directory, failures, GRACE,
        millis::get, () -> "node-1", List.of());
  }

  Handshake plain() {
    return handshake(new ResumeTokens(k1), new FailedHellos(1, 1000, 100, System::nanoTime), Optional.empty());
  }

  static Handshake.Result hello(Handshake h, String resume, String token, ActorRef<RoomEvent> session) throws Exception {
    return h.hello(new Handshake.Request(new ClientMessage.Hello("ann", resume, token), "10.0.0.1", session))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static Handshake.Welcomed welcomed(Handshake.Result r) {
    return assertInstanceOf(Handshake.Welcomed.class, r);
  }

  /** The welcome's session ends now, in room {@code room}. */
  void disconnect(Handshake.Welcomed w, String room) {
    directory.put(w.at(room, millis.get()));
  }

  @Test
  void aTokenResumesWithinTheGraceAfterTheDisconnectAndNotAMillisecondLater() throws Exception {
    Handshake h = plain();
    Handshake.Welcomed first = welcomed(hello(h, null, null, null));
    disconnect(first, "r1");
    millis.addAndGet(GRACE.toMillis());
    Handshake.Welcomed back = welcomed(hello(h, first.welcome().resume(), null, null));
    assertEquals(first.player(), back.player());
    assertEquals("r1", back.backToRoom());
    assertNull(back.notice());

    disconnect(back, "r1");
    millis.addAndGet(GRACE.toMillis() + 1);
    Handshake.Welcomed late = welcomed(hello(h, back.welcome().resume(), null, null));
    assertNotEquals(first.player(), late.player());
    assertEquals(ErrorCode.BAD_REQUEST, late.notice().code());
    assertNull(late.backToRoom());
  }

  @Test
  void aTokenOfASessionWhoseNodeCrashedExpiresOneGraceAfterTheNodeWent() throws Exception {
    // the entry still says "connected" (its node died before it could record the disconnect)
    java.util.concurrent.atomic.AtomicLong nodeGoneAt = new java.util.concurrent.atomic.AtomicLong(-1);
    Handshake h = new Handshake(Optional.empty(), Duration.ofMillis(500), () -> CompletableFuture.completedFuture(new ResumeTokens(k1)),
        Duration.ofMillis(300), directory, new FailedHellos(1, 1000, 100, System::nanoTime), GRACE, millis::get,
        () -> "node-1", List.of(),
        session -> nodeGoneAt.get() < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(nodeGoneAt.get()));
    TestProbe<RoomEvent> onCrashedNode = testKit.createTestProbe();
    Handshake.Welcomed first = welcomed(hello(h, null, null, onCrashedNode.getRef()));
    directory.put(first.at("r1", 0));
    nodeGoneAt.set(millis.get());
    millis.addAndGet(GRACE.toMillis());
    Handshake.Welcomed back = welcomed(hello(h, first.welcome().resume(), null, null));
    assertEquals(first.player(), back.player(), "within the grace after its node went: the player comes back");
    assertEquals("r1", back.backToRoom());

    TestProbe<RoomEvent> again = testKit.createTestProbe();
    directory.put(back.at("r1", 0)); // connected again, on a node that crashes too
    Handshake.Welcomed s2 = welcomed(hello(h, back.welcome().resume(), null, again.getRef())); // its own token: replaces
    directory.put(s2.at("r1", 0));
    nodeGoneAt.set(millis.get());
    millis.addAndGet(GRACE.toMillis() + 1);
    Handshake.Welcomed late = welcomed(hello(h, s2.welcome().resume(), null, null));
    assertNotEquals(first.player(), late.player(), "a grace after its node went, the token is dead");
    assertEquals(ErrorCode.BAD_REQUEST, late.notice().code());
  }

  @Test
  void aTokenWorksOnceEachWelcomeIssuesANewOne() throws Exception {
    Handshake h = plain();
    Handshake.Welcomed first = welcomed(hello(h, null, null, null));
    disconnect(first, null);
    Handshake.Welcomed second = welcomed(hello(h, first.welcome().resume(), null, null));
    assertEquals(first.player(), second.player());
    assertNotEquals(first.welcome().resume(), second.welcome().resume());
    disconnect(second, null);
    Handshake.Welcomed replay = welcomed(hello(h, first.welcome().resume(), null, null));
    assertNotEquals(first.player(), replay.player(), "a used token does not give the player back");
    assertEquals(ErrorCode.BAD_REQUEST, replay.notice().code());
    assertEquals(first.player(), welcomed(hello(h, second.welcome().resume(), null, null)).player());
  }

  @Test
  void aLiveSessionIsReplacedOnlyWithItsCurrentToken() throws Exception {
    Handshake h = plain();
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    TestProbe<RoomEvent> c = testKit.createTestProbe();
    Handshake.Welcomed first = welcomed(hello(h, null, null, a.getRef()));
    directory.put(first.at("r1", 0)); // joined r1, still connected
    Handshake.Welcomed second = welcomed(hello(h, first.welcome().resume(), null, b.getRef()));
    assertEquals(first.player(), second.player());
    assertEquals(new RoomEvent.Replaced("r1"), a.receiveMessage());
    // the first token again, while the second session is live: refused, and the second is left alone
    Handshake.Welcomed replay = welcomed(hello(h, first.welcome().resume(), null, c.getRef()));
    assertNotEquals(first.player(), replay.player());
    b.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aWriteOfAReplacedSessionDoesNotUndoTheNewerOne() throws Exception {
    Handshake h = plain();
    Handshake.Welcomed first = welcomed(hello(h, null, null, null));
    Handshake.Welcomed second = welcomed(hello(h, first.welcome().resume(), null, null));
    directory.put(second.at("r2", 0));
    disconnect(first, "r1"); // the old session closing late
    PlayerDirectory.Entry e = directory.get(first.player()).toCompletableFuture().get().orElseThrow();
    assertEquals("r2", e.room());
    assertEquals(0, e.disconnectedAt());
  }

  @Test
  void aRotatedOutKeyResumesUntilItsDeadlineThenNot() throws Exception {
    Handshake before = plain();
    Handshake.Welcomed w1 = welcomed(hello(before, null, null, null));
    disconnect(w1, null);
    long deadline = millis.get() + 10_000;
    ResumeTokens rotated = new ResumeTokens(ResumeTokens.Key.current("k2", ResumeTokens.newSecret()),
        List.of(new ResumeTokens.Key("k1", k1.secret(), deadline)));
    Handshake after = handshake(rotated, new FailedHellos(1, 1000, 100, System::nanoTime), Optional.empty());
    Handshake.Welcomed w2 = welcomed(hello(after, w1.welcome().resume(), null, null));
    assertEquals(w1.player(), w2.player(), "old key accepted within its grace");
    assertEquals("k2", w2.welcome().resume().split("\\.")[1], "new tokens carry the new key id");
    disconnect(w2, null);

    // a token of the old key presented after the deadline is refused, even if otherwise current
    Handshake.Welcomed w3 = welcomed(hello(before, null, null, null)); // a node still on the old key signs it
    disconnect(w3, null);
    millis.set(deadline + 1);
    Handshake.Welcomed late = welcomed(hello(after, w3.welcome().resume(), null, null));
    assertNotEquals(w3.player(), late.player(), "old key refused after its grace");
  }

  @Test
  void withoutKeysNothingIsSignedAndTheHelloGetsServerBusy() throws Exception {
    Handshake h = handshake(CompletableFuture::new, new FailedHellos(1, 1000, 100, System::nanoTime), Optional.empty());
    Handshake.Refused r = assertInstanceOf(Handshake.Refused.class, hello(h, null, null, null));
    assertEquals(ErrorCode.SERVER_BUSY, r.code());
  }

  @Test
  void badResumeTokensCountAgainstTheAddressUntilItsHellosAreRefused() throws Exception {
    Handshake h = handshake(new ResumeTokens(k1), new FailedHellos(0.001, 2, 100, System::nanoTime), Optional.empty());
    for (int i = 0; i < 2; i++) assertEquals(ErrorCode.BAD_REQUEST, welcomed(hello(h, "t2.k1.eA.n.forged", null, null)).notice().code());
    Handshake.Refused r = assertInstanceOf(Handshake.Refused.class, hello(h, null, null, null));
    assertEquals(ErrorCode.RATE_LIMITED, r.code());
  }

  @Test
  void anAuthenticatorDecidesTheIdentityAndItsFailuresAreRefusals() throws Exception {
    FailedHellos failures = new FailedHellos(1, 1000, 100, System::nanoTime);
    Authenticator good = req -> CompletableFuture.completedFuture(AuthResult.verified("u-" + req.token(), Map.of("lvl", 3)));
    Handshake.Welcomed w = welcomed(hello(handshake(new ResumeTokens(k1), failures, Optional.of(good)), null, "7", null));
    assertEquals("u-7", w.player());
    assertEquals(3, w.identity().claim("lvl"));
    assertEquals("u-7", w.identity().subject());

    Map<String, Authenticator> bad = Map.of(
        "missing token", good,
        "did not answer", req -> new CompletableFuture<>(),
        "login check failed", req -> CompletableFuture.failedFuture(new IllegalStateException("db down")),
        "printable", req -> CompletableFuture.completedFuture(AuthResult.verified("x".repeat(129), Map.of())),
        "nope", req -> CompletableFuture.completedFuture(AuthResult.refused("nope")));
    for (Map.Entry<String, Authenticator> e : bad.entrySet()) {
      String token = e.getKey().equals("missing token") ? null : "t";
      Handshake.Refused r = assertInstanceOf(Handshake.Refused.class,
          hello(handshake(new ResumeTokens(k1), failures, Optional.of(e.getValue())), null, token, null), e.getKey());
      assertEquals(ErrorCode.UNAUTHORIZED, r.code());
      assertTrue(r.message().contains(e.getKey()), r.message());
    }
  }
}
