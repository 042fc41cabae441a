package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scrapes /metrics before and after some play and finds the counters moving. */
@Timeout(60)
class MetricsTest {
  static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.load("application-test"), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static String scrape() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(ops(node) + "/metrics"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The management port's base address (operator endpoints), without a trailing slash. */
  static String ops(Node node) {
    String m = node.managementUri();
    return m.endsWith("/") ? m.substring(0, m.length() - 1) : m;
  }

  /** The value of one sample line, e.g. {@code tickroom_errors_total{code="bad_json"}}; 0 when absent. */
  static double value(String scrape, String sample) {
    Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " ([0-9.Ee+-]+)$", Pattern.MULTILINE).matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void countersMoveWithPlay() throws Exception {
    String before = scrape();
    try (WireClient tcp = new TcpWireClient(node.gameAddress());
        WireClient ws = new WebSocketWireClient(URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/ws"))) {
      tcp.hello("m1");
      ws.hello("m2");
      tcp.join("metrics-room", "arena");
      ws.join("metrics-room", "arena");
      tcp.send("garbage");
      assertEquals("bad_json", tcp.error());
      for (int i = 0; i < 5; i++) tcp.awaitType("state");
      String during = scrape();
      assertEquals(1.0, value(during, "tickroom_connections{transport=\"tcp\"}") - value(before, "tickroom_connections{transport=\"tcp\"}"));
      assertEquals(1.0, value(during, "tickroom_connections{transport=\"ws\"}") - value(before, "tickroom_connections{transport=\"ws\"}"));
      assertTrue(value(during, "tickroom_rooms") >= 1);
      assertTrue(value(during, "tickroom_players") >= 2);
      assertTrue(value(during, "tickroom_ticks_total") > value(before, "tickroom_ticks_total"));
      assertTrue(value(during, "tickroom_tick_duration_seconds_count") > value(before, "tickroom_tick_duration_seconds_count"));
      assertTrue(value(during, "tickroom_messages_in_total{transport=\"tcp\"}") >= value(before, "tickroom_messages_in_total{transport=\"tcp\"}") + 3);
      assertTrue(value(during, "tickroom_messages_in_total{transport=\"ws\"}") >= value(before, "tickroom_messages_in_total{transport=\"ws\"}") + 2);
      assertTrue(value(during, "tickroom_messages_out_total{transport=\"ws\"}") > value(before, "tickroom_messages_out_total{transport=\"ws\"}") + 2);
      assertEquals(1.0, value(during, "tickroom_errors_total{code=\"bad_json\"}") - value(before, "tickroom_errors_total{code=\"bad_json\"}"));
    }
  }

  @Test
  void bytesOutAreCountedPerConnectionClassAndPerRoom() throws Exception {
    String before = scrape();
    try (WireClient full = new TcpWireClient(node.gameAddress());
        SyncClient compact = SyncClient.ws(URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/ws"), "cbor")) {
      full.hello("b1");
      compact.hello("b2", "patch");
      full.join("bytes-room", "arena");
      compact.send("{\"type\":\"join\",\"room\":\"bytes-room\",\"game\":\"arena\"}");
      compact.await("joined");
      for (int i = 0; i < 5; i++) {
        full.awaitType("state");
        compact.await("state");
      }
      String during = scrape();
      String tcpFull = "tickroom_bytes_out_total{format=\"json\",sync=\"full\",transport=\"tcp\"}";
      String wsCbor = "tickroom_bytes_out_total{format=\"cbor\",sync=\"patch\",transport=\"ws\"}";
      assertTrue(value(during, tcpFull) - value(before, tcpFull) > 5 * 50, during);
      // every byte the cbor client got after welcome is counted in its class (the welcome itself went out as JSON)
      assertTrue(value(during, wsCbor) - value(before, wsCbor) >= compact.bytes,
          "counted " + (value(during, wsCbor) - value(before, wsCbor)) + ", received " + compact.bytes);
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(ops(node) + "/api/status"))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      com.fasterxml.jackson.databind.JsonNode status = dev.tickroom.protocol.Codec.MAPPER.readTree(r.body());
      boolean listed = false;
      for (com.fasterxml.jackson.databind.JsonNode m : status.get("members")) {
        for (com.fasterxml.jackson.databind.JsonNode e : m.path("bytes_out_by_room")) {
          if ("bytes-room".equals(e.get("room").asText()) && e.get("bytes").asLong() > 0) listed = true;
        }
      }
      assertTrue(listed, "the room's bytes are in the admin view: " + r.body());
    }
  }
}
