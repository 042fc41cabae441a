package dev.tickroom.player;

import dev.tickroom.cluster.NodeDepartures;

import java.util.function.Function;

import java.util.OptionalLong;

import dev.tickroom.auth.AuthRequest;
import dev.tickroom.auth.AuthResult;
import dev.tickroom.auth.Authenticator;
import dev.tickroom.auth.Authenticators;
import dev.tickroom.cluster.SharedSecret;
import dev.tickroom.config.Settings;
import com.typesafe.config.Config;
import dev.tickroom.protocol.Features;
import java.util.ArrayList;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import dev.tickroom.game.Identity;
import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a {@code hello}: who the client is, and its {@code welcome}. One per node, shared by all sessions;
 * every step is asynchronous and the session pipes the result to itself.
 *
 * <ul>
 *   <li>With an authenticator: the hello's {@code token} must verify; the player id is the verified subject,
 *       and the player goes back to the room its directory entry names if its last connection is live or
 *       ended less than the resume grace ago (a live one is replaced). {@code resume} is not needed.
 *   <li>Without: a {@code resume} token brings back its player only if its MAC is genuine (a key of the ring,
 *       still accepted), its nonce is the one the directory holds for that player (each welcome draws a new
 *       one: a token works once), and the player's connection is live (then it is replaced) or ended less
 *       than the resume grace ago. Anything else gets a fresh player and a {@code bad_request} notice.
 *   <li>Every refusal and every bad resume token counts against the client's address ({@link FailedHellos});
 *       an address past its limit gets {@code rate_limited} and the connection closes.
 *   <li>Nothing is signed before the node knows its key: without a configured secret, the hello waits up
 *       to {@code secret-wait} for the cluster's, then gets {@code server_busy}.
 * </ul>
 * The welcome's directory entry (with the new nonce) is written before the welcome is returned.
 */
public final class Handshake {
  private static final Logger log = LoggerFactory.getLogger(Handshake.class);

  /** A hello, the client's address, and the session's address for room events (to be replaced later). */
  public record Request(ClientMessage.Hello hello, String address, ActorRef<RoomEvent> session) {}

  public sealed interface Result {}

  /**
   * Welcome the client as {@code player}.
   *
   * @param notice an error to send before the welcome (a resume token that did not work), or null
   * @param backToRoom the room to put the player back in, or null
   */
  public record Welcomed(String player, String name, Identity identity, long generation, String nonce, String backToRoom,
      ServerMessage.Welcome welcome, ServerMessage.Error notice, ActorRef<RoomEvent> session) implements Result {

    /** This session's directory entry: in {@code room}, connected (0) or disconnected at that time. */
    public PlayerDirectory.Entry at(String room, long disconnectedAt) {
      return new PlayerDirectory.Entry(player, room, disconnectedAt, generation, nonce, disconnectedAt == 0 ? session : null);
    }
  }

  /** Send {@code error} {code, message}, then close the connection. */
  public record Refused(String code, String message) implements Result {}

  private final Optional<Authenticator> authenticator;
  private final Duration authTimeout;
  private final Supplier<CompletionStage<ResumeTokens>> keys;
  private final Duration keysWait;
  private final PlayerDirectory directory;
  private final FailedHellos failures;
  private final Duration grace;
  private final LongSupplier millis;
  private final Supplier<String> nodeName;
  private final List<String> features;
  private final Function<ActorRef<RoomEvent>, OptionalLong> sessionGoneSince;

  public Handshake(Optional<Authenticator> authenticator, Duration authTimeout, Supplier<CompletionStage<ResumeTokens>> keys,
      Duration keysWait, PlayerDirectory directory, FailedHellos failures, Duration grace, LongSupplier millis,
      Supplier<String> nodeName, List<String> features) {
    this(authenticator, authTimeout, keys, keysWait, directory, failures, grace, millis, nodeName, features,
        session -> OptionalLong.empty());
  }

  /**
   * @param sessionGoneSince for a session that a directory entry names as live: empty while its node is alive,
   *     else the epoch ms since which the node is gone (its players' connections ended then)
   */
  public Handshake(Optional<Authenticator> authenticator, Duration authTimeout, Supplier<CompletionStage<ResumeTokens>> keys,
      Duration keysWait, PlayerDirectory directory, FailedHellos failures, Duration grace, LongSupplier millis,
      Supplier<String> nodeName, List<String> features, Function<ActorRef<RoomEvent>, OptionalLong> sessionGoneSince) {
    this.sessionGoneSince = sessionGoneSince;
    this.authenticator = authenticator;
    this.authTimeout = authTimeout;
    this.keys = keys;
    this.keysWait = keysWait;
    this.directory = directory;
    this.failures = failures;
    this.grace = grace;
    this.millis = millis;
    this.nodeName = nodeName;
    this.features = List.copyOf(features);
  }

  /**
   * The handshake of a node: its authenticator, its resume-token keys (configured, or generated by the
   * cluster with a warning) and its failed-hello limit, all from the settings.
   */
  public static Handshake forNode(ActorContext<?> ctx, Settings settings, Config config, PlayerDirectory directory,
      Supplier<String> nodeName) {
    Settings.Auth auth = settings.auth();
    Optional<Authenticator> authenticator = Authenticators.fromSettings(auth, config);
    Supplier<CompletionStage<ResumeTokens>> keys;
    if (auth.configuredSecret()) {
      List<ResumeTokens.Key> accepted = new ArrayList<>();
      if (!auth.previousSecret().isEmpty()) {
        accepted.add(new ResumeTokens.Key(auth.previousKeyId(), auth.previousSecret().getBytes(StandardCharsets.UTF_8),
            auth.previousUntil().toEpochMilli()));
      }
      CompletionStage<ResumeTokens> tokens = CompletableFuture.completedFuture(new ResumeTokens(
          ResumeTokens.Key.current(auth.resumeKeyId(), auth.resumeSecret().getBytes(StandardCharsets.UTF_8)), accepted));
      keys = () -> tokens;
    } else {
      log.warn("no resume-token secret configured (CLUSTER_SECRET): the cluster generates a random one; resume tokens"
          + " then die with the cluster. Set CLUSTER_SECRET (32+ characters) on every node in production.");
      SharedSecret shared = SharedSecret.start(ctx, settings.askTimeout());
      keys = () -> shared.keys().thenApply(found -> {
        List<ResumeTokens.Key> ring = new ArrayList<>();
        for (SharedSecret.Key k : found) ring.add(ResumeTokens.Key.current(k.id(), k.secret()));
        return new ResumeTokens(ring.get(0), ring);
      });
    }
    log.info("hello: authenticator {}", authenticator.isPresent() ? auth.authenticator() : "none (player ids are random; development only)");
    FailedHellos failures = new FailedHellos(auth.failedHellosPerSecond(), auth.failedHellosBurst(), auth.failedHellosAddresses(), System::nanoTime);
    NodeDepartures departures = NodeDepartures.start(ctx);
    return new Handshake(authenticator, auth.timeout(), keys, auth.secretWait(), directory, failures,
        settings.rooms().resumeGrace(), System::currentTimeMillis, nodeName, Features.supported(authenticator.isPresent()),
        departures::goneSince);
  }

  public boolean authenticates() {
    return authenticator.isPresent();
  }

  public CompletionStage<Result> hello(Request r) {
    if (!failures.allowed(r.address())) {
      log.info("hello from {} refused: too many failed hellos", r.address());
      return done(new Refused(ErrorCode.RATE_LIMITED, "too many failed hellos from your address; try again later"));
    }
    if (authenticator.isPresent()) return authenticated(r, authenticator.get());
    if (r.hello().resume() != null) return resumed(r);
    return welcome(r, ResumeTokens.newPlayerId(), 1, null, Identity.anonymous(), null, null);
  }

  // ------------------------------------------------------------------ with an authenticator

  private CompletionStage<Result> authenticated(Request r, Authenticator auth) {
    String token = r.hello().token();
    if (token == null || token.isEmpty()) return refuse(r, "missing token: this server needs hello.token, a credential from the game's login");
    CompletableFuture<AuthResult> answer;
    try {
      answer = auth.authenticate(new AuthRequest(token, r.address(), r.hello().name())).toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.copy().orTimeout(authTimeout.toMillis(), TimeUnit.MILLISECONDS).handle((res, err) -> {
      if (err != null) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof TimeoutException) return "the login check did not answer in time; try again";
        log.warn("authenticator failed on a hello from {}: {}", r.address(), cause.toString());
        return "the login check failed; try again";
      }
      if (res instanceof AuthResult.Refused refused) return refused.reason() == null ? "token refused" : refused.reason();
      if (res instanceof AuthResult.Verified v) {
        String sub = v.subject();
        if (sub == null || sub.isEmpty() || sub.length() > MAX_SUBJECT || sub.chars().anyMatch(Character::isISOControl)) {
          return "the verified subject must be 1 to " + MAX_SUBJECT + " printable characters";
        }
        return v;
      }
      return "token refused";
    }).thenCompose(outcome -> {
      if (outcome instanceof String reason) return refuse(r, reason);
      AuthResult.Verified v = (AuthResult.Verified) outcome;
      Identity identity = new Identity(v.subject(), v.claims());
      return entry(v.subject()).thenCompose(entry -> {
        // the same user again: back to its room if its last connection is live (replaced) or recently ended
        boolean current = entry.isPresent() && withinGrace(entry.get());
        long generation = entry.isPresent() ? entry.get().generation() + 1 : 1;
        return welcome(r, v.subject(), generation, current ? entry.get().room() : null, identity,
            current && entry.get().disconnectedAt() == 0 ? entry.get().session() : null, null);
      });
    });
  }

  /** Longest verified subject: it becomes the player id, which travels in every state. */
  public static final int MAX_SUBJECT = 128;

  private CompletionStage<Result> refuse(Request r, String reason) {
    failures.failed(r.address());
    log.info("hello from {} refused: {}", r.address(), reason);
    return done(new Refused(ErrorCode.UNAUTHORIZED, reason));
  }

  // ------------------------------------------------------------------ without: resume tokens

  private CompletionStage<Result> resumed(Request r) {
    return withKeys(tokens -> {
      Optional<ResumeTokens.Claim> claim = tokens.verify(r.hello().resume(), millis.getAsLong());
      if (claim.isEmpty()) return stale(r);
      String player = claim.get().player();
      return entry(player).thenCompose(entry -> {
        if (entry.isEmpty() || !sameNonce(entry.get().nonce(), claim.get().nonce()) || !withinGrace(entry.get())) return stale(r);
        log.info("player {} resumes from {}", player, r.address());
        PlayerDirectory.Entry e = entry.get();
        return welcome(r, player, e.generation() + 1, e.room(), Identity.anonymous(), e.disconnectedAt() == 0 ? e.session() : null, null);
      });
    });
  }

  private CompletionStage<Result> stale(Request r) {
    failures.failed(r.address());
    return welcome(r, ResumeTokens.newPlayerId(), 1, null, Identity.anonymous(), null,
        new ServerMessage.Error(ErrorCode.BAD_REQUEST, "resume token is invalid, used or expired; starting a new session"));
  }

  private static boolean sameNonce(String a, String b) {
    return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A live connection, or one that ended no longer than the resume grace ago. A connection whose node
   * crashed never recorded its end: it ended when its node left the cluster.
   */
  private boolean withinGrace(PlayerDirectory.Entry e) {
    if (e.disconnectedAt() == 0 && e.session() != null) {
      OptionalLong gone = sessionGoneSince.apply(e.session());
      if (gone.isPresent()) return millis.getAsLong() - gone.getAsLong() <= grace.toMillis();
    }
    return e.disconnectedAt() == 0 || millis.getAsLong() - e.disconnectedAt() <= grace.toMillis();
  }

  // ------------------------------------------------------------------ the welcome

  /** @param generation which session of the player this is: 1 for a new player, one more than the entry it read */
  private CompletionStage<Result> welcome(Request r, String player, long generation, String room, Identity identity,
      ActorRef<RoomEvent> previous, ServerMessage.Error notice) {
    return withKeys(tokens -> {
      String nonce = ResumeTokens.newNonce();
      Welcomed w = new Welcomed(player, r.hello().name(), identity, generation, nonce, room,
          new ServerMessage.Welcome(player, nodeName.get(), tokens.issue(player, nonce), features), notice, r.session());
      return directory.claim(w.at(room, 0)).exceptionally(err -> {
        log.warn("player directory write for {} failed: {}", player, err.toString());
        return null;
      }).thenApply(v -> {
        if (previous != null && !previous.equals(r.session())) previous.tell(new RoomEvent.Replaced(room));
        return (Result) w;
      });
    });
  }

  private CompletionStage<Optional<PlayerDirectory.Entry>> entry(String player) {
    return directory.get(player).exceptionally(err -> Optional.empty());
  }

  /** Runs {@code next} once the node knows its resume-token keys, or answers server_busy after the wait. */
  private CompletionStage<Result> withKeys(java.util.function.Function<ResumeTokens, CompletionStage<Result>> next) {
    return keys.get().toCompletableFuture().copy().orTimeout(keysWait.toMillis(), TimeUnit.MILLISECONDS)
        .handle((tokens, err) -> tokens)
        .thenCompose(tokens -> tokens == null
            ? done(new Refused(ErrorCode.SERVER_BUSY, "this node is not ready to sign sessions yet; try again in a moment"))
            : next.apply(tokens));
  }

  private static CompletionStage<Result> done(Result r) {
    return CompletableFuture.completedFuture(r);
  }
}
