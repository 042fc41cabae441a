package dev.tickroom.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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
    String clusterSecret,
    Duration askTimeout) {

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
        c.getString("cluster-secret"),
        c.getDuration("ask-timeout"));
  }
}
