package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the load generator end to end against {@link FakeServer}. */
class LoadTestRunTest {
  private static final Set<String> JSON_KEYS = Set.of("scenario", "clients", "rooms", "seconds", "delivered_per_s",
      "lat_p50_ms", "lat_p99_ms", "lat_max_ms", "tick_interval_p99_ms", "errors", "disconnects", "server_cpu_s",
      "cpu_s_per_million", "server_rss_mb", "bytes_per_state", "bytes_per_s_per_client");

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

  @Test
  @Timeout(15)
  void arenaLoadMeasuresStatesLatencyAndServerCpu(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("run.csv");
    Path chart = dir.resolve("run.png");
    // the fake server runs in this JVM, so this JVM's PID stands in for the server's
    long pid = ProcessHandle.current().pid();
    try (FakeServer server = new FakeServer()) {
      Options o = Options.parse("--scenario", "arena-load", "--port", String.valueOf(server.port()),
          "--rooms", "2", "--players-per-room", "3", "--warmup", "1", "--duration", "2",
          "--ramp-per-second", "200", "--io-threads", "2", "--server-pid", String.valueOf(pid),
          "--csv", csv.toString(), "--chart", chart.toString());
      LoadResult r = LoadTest.run(o, out);

      assertEquals(0, r.exitCode(), output());
      assertEquals(0, server.errorsSent.get(), "the client broke the protocol: " + output());
      assertEquals(6, r.clients());
      assertEquals(2, r.rooms());
      assertEquals(6, r.connections().peakReady());
      assertEquals(0, r.errors());
      assertEquals(0, r.disconnects());
      assertEquals(0, r.unreadable(), output());

      double expected = 6 * 20.0;
      assertTrue(r.deliveredPerS() > 0.85 * expected && r.deliveredPerS() < 1.15 * expected,
          "delivered/s " + r.deliveredPerS() + " vs expected " + expected);
      // an input is acked by the next tick: at most one tick period plus scheduling noise
      assertNotNull(r.latP50Ms());
      assertTrue(r.latP50Ms() > 0 && r.latP50Ms() <= r.latP99Ms() && r.latP99Ms() <= r.latMaxMs(), output());
      assertTrue(r.latP99Ms() < 500, "p99 " + r.latP99Ms());
      assertTrue(r.latencySamples() > 100, "samples " + r.latencySamples());
      assertNotNull(r.tickIntervalP99Ms());
      assertTrue(r.tickIntervalP99Ms() > 20 && r.tickIntervalP99Ms() < 500, "tick p99 " + r.tickIntervalP99Ms());
      assertEquals(0, r.missedTicks());
      assertNotNull(r.serverCpuS());
      assertTrue(r.serverCpuS() >= 0);
      assertNotNull(r.cpuSPerMillion());
      assertTrue(r.serverRssMb() > 0);

      JsonNode json = lastLineJson();
      assertEquals(JSON_KEYS, keys(json));
      assertEquals("arena-load", json.get("scenario").asText());
      assertEquals(6, json.get("clients").asInt());
      assertEquals(2.0, json.get("seconds").asDouble());
      assertEquals(r.deliveredPerS(), json.get("delivered_per_s").asDouble(), 0.06);
      assertEquals(0, json.get("errors").asInt());
      assertTrue(json.get("lat_p99_ms").isNumber());
      assertTrue(json.get("tick_interval_p99_ms").isNumber());
      assertTrue(json.get("server_rss_mb").isNumber());
    }
    assertTrue(output().contains("[") && output().contains("delivered/s"), "progress lines: " + output());

    List<String> rows = Files.readAllLines(csv);
    assertEquals(Series.CSV_HEADER, rows.get(0));
    assertTrue(rows.size() >= 4, "csv rows: " + rows);
    assertTrue(rows.stream().anyMatch(l -> l.contains(",measure,")), "csv: " + rows);
    byte[] png = Files.readAllBytes(chart);
    assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
  }

  @Test
  @Timeout(15)
  void echoLoadMeasuresRoundTrips() throws Exception {
    try (FakeServer server = new FakeServer()) {
      int status = LoadTest.run(new String[] {"--scenario", "echo-load", "--port", String.valueOf(server.port()),
          "--clients", "4", "--in-flight", "4", "--warmup", "0.5", "--duration", "1.5", "--io-threads", "1"},
          out, out);
      assertEquals(0, status, output());
      assertEquals(0, server.errorsSent.get(), output());

      JsonNode json = lastLineJson();
      assertEquals(JSON_KEYS, keys(json));
      assertEquals("echo-load", json.get("scenario").asText());
      assertEquals(4, json.get("clients").asInt());
      assertEquals(0, json.get("rooms").asInt());
      assertTrue(json.get("delivered_per_s").asDouble() > 100, output());
      assertTrue(json.get("lat_p50_ms").asDouble() > 0, output());
      assertTrue(json.get("lat_p99_ms").asDouble() >= json.get("lat_p50_ms").asDouble());
      assertTrue(json.get("tick_interval_p99_ms").isNull());
      assertTrue(json.get("server_cpu_s").isNull());
      assertEquals(0, json.get("errors").asInt());
      assertEquals(0, json.get("disconnects").asInt());
      assertTrue(server.pongsSent.get() > 0);
    }
  }

  @Test
  @Timeout(15)
  void lobbyHoldsIdleClientsThatOnlyPing() throws Exception {
    long pid = ProcessHandle.current().pid();
    try (FakeServer server = new FakeServer()) {
      Options o = Options.parse("--scenario", "lobby", "--port", String.valueOf(server.port()), "--clients", "30",
          "--ping-interval", "0.25", "--warmup", "0.5", "--duration", "2", "--ramp-per-second", "300",
          "--io-threads", "2", "--server-pid", String.valueOf(pid));
      LoadResult r = LoadTest.run(o, out);

      assertEquals(0, r.exitCode(), output());
      assertEquals(0, server.errorsSent.get(), "the client broke the protocol: " + output());
      assertEquals(30, r.connections().peakReady(), output());
      assertEquals(0, r.errors());
      assertEquals(0, r.disconnects());
      assertEquals(0, r.rooms());
      // nobody joined a room, so nobody got a state
      assertEquals(0, server.statesSent.get());
      // 30 clients x 4 pings/s, spread over the interval
      assertTrue(r.deliveredPerS() > 0.8 * 120 && r.deliveredPerS() < 1.2 * 120, "round trips/s " + r.deliveredPerS());
      assertNotNull(r.latP99Ms());
      assertTrue(r.latP50Ms() > 0 && r.latP50Ms() <= r.latP99Ms(), output());
      assertNull(r.tickIntervalP99Ms());
      assertTrue(r.serverRssMb() > 0);

      JsonNode json = lastLineJson();
      assertEquals(JSON_KEYS, keys(json));
      assertEquals("lobby", json.get("scenario").asText());
      assertEquals(30, json.get("clients").asInt());
    }
    assertTrue(output().contains("30 clients idle in the lobby"), output());
  }

  @Test
  @Timeout(10)
  void exitsNonZeroWhenNothingListens() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = s.getLocalPort();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = LoadTest.run(new String[] {"--scenario", "echo-load", "--port", String.valueOf(port),
        "--clients", "3", "--duration", "30", "--warmup", "0"}, out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(3, status, output());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no client could connect"), err.toString());
    assertEquals(0, lastLineJson().get("delivered_per_s").asDouble());
  }

  @Test
  @Timeout(10)
  void exitsNonZeroWhenTheServerNeverAnswersHello() throws Exception {
    // the kernel completes the TCP handshakes from the backlog; nothing ever answers
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status = LoadTest.run(new String[] {"--scenario", "echo-load", "--port",
          String.valueOf(silent.getLocalPort()), "--clients", "2", "--duration", "0.5", "--warmup", "0"}, out,
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(3, status, output());
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("no welcome"), err.toString());
    }
  }

  private String output() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  private JsonNode lastLineJson() throws Exception {
    List<String> lines = new ArrayList<>(Arrays.asList(output().split("\n")));
    String last = lines.get(lines.size() - 1);
    return new ObjectMapper().readTree(last);
  }

  private static Set<String> keys(JsonNode json) {
    Set<String> keys = new TreeSet<>();
    json.fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
