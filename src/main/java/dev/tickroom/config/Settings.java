package dev.tickroom.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every tickroom setting, parsed once from the {@code tickroom} section of the config. */
public record Settings(
    String nodeName,
    String gameHost,
    int gamePort,
    String gameAdvertised,
    String httpHost,
    int httpPort,
    Limits limits,
    Rooms rooms,
    Map<String, String> games,
    Auth auth,
    Duration askTimeout,
    Matchmaking matchmaking) {

  public Settings(String nodeName, String gameHost, int gamePort, String gameAdvertised, String httpHost, int httpPort,
      Limits limits, Rooms rooms, Map<String, String> games, Auth auth, Duration askTimeout) {
    this(nodeName, gameHost, gamePort, gameAdvertised, httpHost, httpPort, limits, rooms, games, auth, askTimeout,
        new Matchmaking(Duration.ofSeconds(2), Duration.ofSeconds(10)));
  }

  /** Quick joins: how often a matchmaker prunes its book, and how long a handed-out seat is held for its player. */
  public record Matchmaking(Duration pruneInterval, Duration reservationTimeout) {
    public int reservationRounds() {
      return (int) Math.max(1, reservationTimeout.toMillis() / Math.max(1, pruneInterval.toMillis()));
    }
  }

  /** Per-connection limits. */
  public record Limits(
      int maxFrameBytes,
      double ratePerSecond,
      int rateBurst,
      int rateAbuseStrikes,
      Duration rateAbuseWindow,
      int outboundQueue,
      int socketSendBuffer,
      Duration helloTimeout) {}

  /** Room behaviour. */
  public record Rooms(
      String defaultGame,
      Duration idleTimeout,
      Duration resumeGrace,
      Duration disconnectLinger,
      Duration snapshotInterval,
      int maxInputsPerTick,
      Duration handOffTimeout,
      int snapshotReadAttempts,
      Duration snapshotTtl,
      Duration closedRoomTtl,
      Duration snapshotSweepInterval,
      Duration overrunLogInterval) {}

  /**
   * Identity: the authenticator, the keys of resume tokens, the limit on failed hellos. No key secret
   * (the default): the cluster generates one and tokens die with the cluster.
   */
  public record Auth(
      String authenticator,
      Duration timeout,
      String resumeKeyId,
      String resumeSecret,
      String previousKeyId,
      String previousSecret,
      Instant previousUntil,
      Duration secretWait,
      double failedHellosPerSecond,
      int failedHellosBurst,
      int failedHellosAddresses,
      Jwt jwt) {

    /** True when resume tokens are signed with a configured secret rather than one the cluster generated. */
    public boolean configuredSecret() {
      return !resumeSecret.isEmpty();
    }
  }

  /** The jwt authenticator: an HS256 secret or a JWKS URL, and the claims it checks. */
  public record Jwt(
      String hs256Secret,
      String jwksUrl,
      List<String> algorithms,
      String issuer,
      String audience,
      Duration clockSkew,
      Duration jwksCacheTtl,
      Duration jwksMinRefreshInterval,
      Duration jwksHttpTimeout) {}

  /** Secrets that appear in this repository or its history; a node refuses to sign with them. */
  private static final Set<String> PUBLIC_SECRETS =
      Set.of("change-me-in-production", "local-cluster-secret", "compose-dev-secret", "replace-me-with-a-long-random-string");
  /** The shortest secret a node signs resume tokens with. */
  public static final int MIN_SECRET = 32;

  public static Settings from(Config root) {
    Config c = root.getConfig("tickroom");
    Config l = c.getConfig("limits");
    Config r = c.getConfig("rooms");
    Map<String, String> games = new LinkedHashMap<>();
    c.getConfig("games").root().keySet().stream().sorted()
        .forEach(name -> games.put(name, c.getString("games.\"" + name + "\"")));
    return new Settings(
        c.getString("node-name"),
        c.getString("game.host"),
        c.getInt("game.port"),
        c.getString("game.advertised"),
        c.getString("http.host"),
        c.getInt("http.port"),
        new Limits(
            l.getInt("max-frame-bytes"),
            l.getDouble("rate-per-second"),
            l.getInt("rate-burst"),
            l.getInt("rate-abuse-strikes"),
            l.getDuration("rate-abuse-window"),
            l.getInt("outbound-queue"),
            l.getBytes("socket-send-buffer").intValue(),
            l.getDuration("hello-timeout")),
        new Rooms(
            r.getString("default-game"),
            r.getDuration("idle-timeout"),
            r.getDuration("resume-grace"),
            r.getDuration("disconnect-linger"),
            r.getDuration("snapshot-interval"),
            r.getInt("max-inputs-per-tick"),
            r.getDuration("hand-off-timeout"),
            r.getInt("snapshot-read-attempts"),
            r.getDuration("snapshot-ttl"),
            r.getDuration("closed-room-ttl"),
            r.getDuration("snapshot-sweep-interval"),
            r.getDuration("overrun-log-interval")),
        games,
        auth(c.getConfig("auth")),
        c.getDuration("ask-timeout"),
        new Matchmaking(c.getDuration("matchmaking.prune-interval"), c.getDuration("matchmaking.reservation-timeout")));
  }

  private static Auth auth(Config a) {
    Config k = a.getConfig("resume-keys");
    Config f = a.getConfig("failed-hellos");
    Config j = a.getConfig("jwt");
    String id = k.getString("current-id");
    String secret = k.getString("current-secret");
    String previousId = k.getString("previous-id");
    String previousSecret = k.getString("previous-secret");
    checkKeyId(a, "resume-keys.current-id", id);
    checkSecret(a, "resume-keys.current-secret", secret);
    Instant until = null;
    if (!previousSecret.isEmpty()) {
      if (secret.isEmpty()) throw new ConfigException.BadValue(a.origin(), "resume-keys.previous-secret",
          "a previous key needs a current one (CLUSTER_SECRET) to rotate to");
      checkKeyId(a, "resume-keys.previous-id", previousId);
      if (previousId.equals(id)) throw new ConfigException.BadValue(a.origin(), "resume-keys.previous-id", "must differ from current-id");
      checkSecret(a, "resume-keys.previous-secret", previousSecret);
      try {
        until = Instant.parse(k.getString("previous-until"));
      } catch (DateTimeParseException e) {
        throw new ConfigException.BadValue(a.origin(), "resume-keys.previous-until",
            "the previous key needs the instant until which it is accepted, e.g. 2030-01-31T12:00:00Z");
      }
    }
    return new Auth(
        a.getString("authenticator").trim(),
        a.getDuration("timeout"),
        id,
        secret,
        previousId,
        previousSecret,
        until,
        a.getDuration("secret-wait"),
        f.getDouble("per-second"),
        f.getInt("burst"),
        f.getInt("max-addresses"),
        new Jwt(
            j.getString("hs256-secret"),
            j.getString("jwks-url"),
            j.getStringList("algorithms"),
            j.getString("issuer"),
            j.getString("audience"),
            j.getDuration("clock-skew"),
            j.getDuration("jwks-cache-ttl"),
            j.getDuration("jwks-min-refresh-interval"),
            j.getDuration("jwks-http-timeout")));
  }

  private static void checkKeyId(Config a, String path, String id) {
    if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
      throw new ConfigException.BadValue(a.origin(), path, "a key id is 1 to 32 of A-Z a-z 0-9 _ -, was '" + id + "'");
    }
  }

  /** Empty is allowed (the cluster then generates a secret); a short or published one is not. */
  private static void checkSecret(Config a, String path, String secret) {
    if (secret.isEmpty()) return;
    if (PUBLIC_SECRETS.contains(secret) || secret.length() < MIN_SECRET) {
      throw new ConfigException.BadValue(a.origin(), path, "a resume-token secret must have at least " + MIN_SECRET
          + " characters and must not be one published anywhere; make one with `openssl rand -base64 32`, or leave"
          + " it empty and the cluster generates one");
    }
  }
}
