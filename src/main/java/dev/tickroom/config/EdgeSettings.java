package dev.tickroom.config;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of the node's edges, parsed once from {@code tickroom.net}, {@code tickroom.tls} and
 * {@code tickroom.ops}: connection caps, idle limit, flush deadline, keepalive, trusted proxies, TLS and the
 * operator endpoints.
 */
public record EdgeSettings(Net net, Tls tls, Ops ops) {

  /**
   * Connection caps, the idle limit, the flush deadline, TCP keepalive and the proxies whose
   * {@code X-Forwarded-For} is believed (IP literals, compared exactly).
   */
  public record Net(
      int maxConnections,
      int maxConnectionsPerAddress,
      Duration idleTimeout,
      Duration flushTimeout,
      boolean keepalive,
      Duration keepaliveIdle,
      Duration keepaliveInterval,
      int keepaliveCount,
      Set<InetAddress> trustedProxies) {}

  /** TLS for the game port and the HTTP port; off while {@code keystore} is empty. */
  public record Tls(String keystore, String keystorePassword, String keystoreType) {
    public boolean enabled() {
      return !keystore.isEmpty();
    }

    @Override
    public String toString() {
      return "Tls[keystore=" + keystore + ", type=" + keystoreType + "]"; // never the password
    }
  }

  /** Operator endpoints: the status cache and bound, and the optional bearer token for the public port. */
  public record Ops(String publicToken, Duration statusCache, int statusMaxRooms) {
    @Override
    public String toString() {
      return "Ops[publicToken=" + (publicToken.isEmpty() ? "off" : "set") + ", statusCache=" + statusCache
          + ", statusMaxRooms=" + statusMaxRooms + "]";
    }
  }

  public static EdgeSettings from(Config root) {
    Config c = root.getConfig("tickroom");
    return new EdgeSettings(
        net(c.getConfig("net")),
        new Tls(c.getString("tls.keystore"), c.getString("tls.keystore-password"), c.getString("tls.keystore-type")),
        new Ops(c.getString("ops.public-token"), c.getDuration("ops.status-cache"), c.getInt("ops.status-max-rooms")));
  }

  private static Net net(Config n) {
    Duration idle = n.getDuration("idle-timeout");
    Duration floor = n.getDuration("idle-timeout-min");
    if (idle.compareTo(floor) < 0) {
      throw new IllegalArgumentException("tickroom.net.idle-timeout is " + idle.toSeconds() + " s; it may not be under "
          + floor.toSeconds() + " s (PROTOCOL.md promises clients at least that)");
    }
    Set<InetAddress> proxies = new LinkedHashSet<>();
    for (String p : n.getStringList("trusted-proxies")) {
      proxies.add(ipLiteral(p).orElseThrow(() -> new IllegalArgumentException(
          "tickroom.net.trusted-proxies: '" + p + "' is not an IP address (host names are not resolved)")));
    }
    int max = n.getInt("max-connections");
    int perAddress = n.getInt("max-connections-per-address");
    if (max < 1 || perAddress < 1) throw new IllegalArgumentException("tickroom.net connection caps must be at least 1");
    return new Net(
        max,
        perAddress,
        idle,
        n.getDuration("flush-timeout"),
        n.getBoolean("keepalive.enabled"),
        n.getDuration("keepalive.idle"),
        n.getDuration("keepalive.interval"),
        n.getInt("keepalive.count"),
        Set.copyOf(proxies));
  }

  /** An IPv4 or IPv6 literal as an address; never a DNS lookup (anything else is empty). */
  public static Optional<InetAddress> ipLiteral(String text) {
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
    if (t.isEmpty() || t.length() > 45 || !t.matches("[0-9A-Fa-f.:]+")) return Optional.empty();
    if (!t.contains(":") && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByName(t)); // a literal: parsed, not looked up
    } catch (java.net.UnknownHostException e) {
      return Optional.empty();
    }
  }
}
