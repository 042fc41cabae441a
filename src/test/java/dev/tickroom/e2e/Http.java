package dev.tickroom.e2e;

import dev.tickroom.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP for tests: the public port, the management port, and metrics read from it. */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  /** The public HTTP port's base address, e.g. http://127.0.0.1:41234 */
  public static String publicBase(Node node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  /** The management port's base address (operator endpoints), without a trailing slash. */
  public static String opsBase(Node node) {
    String m = node.managementUri();
    return m.endsWith("/") ? m.substring(0, m.length() - 1) : m;
  }

  public static HttpResponse<String> get(String url) {
    return get(url, Map.of());
  }

  public static HttpResponse<String> get(String url, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + url + " failed", e);
    }
  }

  /** One sample of the node's /metrics (management port), e.g. {@code tickroom_connections{transport="ws"}}; 0 when absent. */
  public static double metric(Node node, String sample) {
    HttpResponse<String> r = get(opsBase(node) + "/metrics");
    if (r.statusCode() != 200) throw new AssertionError("/metrics answered " + r.statusCode());
    Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " ([0-9.Ee+-]+)$", Pattern.MULTILINE).matcher(r.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** Polls a metric until it has the value, within the bound; returns the last value seen. */
  public static double awaitMetric(Node node, String sample, double value, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    double v = metric(node, sample);
    while (v != value && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100); // polling an HTTP endpoint: nothing to await on
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      v = metric(node, sample);
    }
    return v;
  }
}
