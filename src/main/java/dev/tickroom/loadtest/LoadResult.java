package dev.tickroom.loadtest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * The outcome of a run. The figures that go into the JSON line ({@link #json()}) cover the measured window
 * only, except {@code errors} and {@code disconnects}, which count the whole run (ramp-up and warm-up
 * included). Latencies are null when no sample was taken; the server figures are null without
 * {@code --server-pid}; {@code tickIntervalP99Ms} is null for echo-load.
 *
 * @param delivered state messages (arena) or round trips (echo) received in the measured window
 * @param exitCode 0 when the run completed, 3 when no client could connect and complete its handshake
 * @param failure why the run did not complete, or null
 * @param bytesIn bytes the clients received in the measured window (frames and line ends included)
 */
public record LoadResult(
    String scenario,
    int clients,
    int rooms,
    double seconds,
    long delivered,
    double deliveredPerS,
    Double latP50Ms,
    Double latP99Ms,
    Double latMaxMs,
    long latencySamples,
    Double tickIntervalP99Ms,
    long errors,
    Map<String, Long> errorCodes,
    long disconnects,
    Double serverCpuS,
    Double cpuSPerMillion,
    Double serverRssMb,
    Connections connections,
    long missedTicks,
    long unacked,
    long unreadable,
    int exitCode,
    String failure,
    long bytesIn) {

  /**
   * How the connections fared.
   *
   * @param peakReady most clients ready (handshake done, still connected) at one time
   * @param rejected clients whose hello or join was answered with an error
   * @param firstFailure message of the first failed connection attempt, or null
   */
  public record Connections(int peakReady, long attempted, long failed, long rejected, String firstFailure) {}

  /** The one-line JSON summary, keys in the documented order. */
  public String json() {
    StringBuilder b = new StringBuilder(400).append('{');
    field(b, "scenario", '"' + scenario + '"');
    field(b, "clients", Integer.toString(clients));
    field(b, "rooms", Integer.toString(rooms));
    field(b, "seconds", num(seconds, 3));
    field(b, "delivered_per_s", num(deliveredPerS, 1));
    field(b, "lat_p50_ms", num(latP50Ms, 3));
    field(b, "lat_p99_ms", num(latP99Ms, 3));
    field(b, "lat_max_ms", num(latMaxMs, 3));
    field(b, "tick_interval_p99_ms", num(tickIntervalP99Ms, 3));
    field(b, "errors", Long.toString(errors));
    field(b, "disconnects", Long.toString(disconnects));
    field(b, "server_cpu_s", num(serverCpuS, 3));
    field(b, "cpu_s_per_million", num(cpuSPerMillion, 4));
    field(b, "server_rss_mb", num(serverRssMb, 1));
    field(b, "bytes_per_state", num(bytesPerDelivered(), 1));
    field(b, "bytes_per_s_per_client", num(bytesPerSecondPerClient(), 1));
    b.setCharAt(b.length() - 1, '}');
    return b.toString();
  }

  /** Bytes received per delivered state (arena) or round trip (echo), everything received counted; null without any. */
  public Double bytesPerDelivered() {
    return delivered > 0 ? bytesIn / (double) delivered : null;
  }

  /** Bytes each client received per second in the measured window, on average. */
  public Double bytesPerSecondPerClient() {
    return seconds > 0 && clients > 0 ? bytesIn / seconds / clients : null;
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append('"').append(key).append("\":").append(value).append(',');
  }

  /** A JSON number rounded to {@code decimals} places without trailing zeros; "null" for null. */
  static String num(Double v, int decimals) {
    if (v == null || v.isNaN() || v.isInfinite()) return "null";
    return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }
}
