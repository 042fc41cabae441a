package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounded edges of a node: /ws without an upgrade costs nothing, connection caps per node and per
 * address (X-Forwarded-For believed only from a trusted proxy), and the deadline on a closing flush.
 */
@Timeout(120)
class EdgeLimitsTest {
  static final String TCP = "tickroom_connections{transport=\"tcp\"}";
  static final String WS = "tickroom_connections{transport=\"ws\"}";
  static Node node;
  static Node proxied;
  final List<WireClient> open = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString("""
            tickroom.net.max-connections = 6
            tickroom.net.max-connections-per-address = 3
            tickroom.net.flush-timeout = 1s
            tickroom.limits.outbound-queue = 32
            tickroom.limits.socket-send-buffer = 8192
            """).withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
    proxied = Node.start(ConfigFactory.parseString("""
            tickroom.net.max-connections-per-address = 1
            tickroom.net.trusted-proxies = ["127.0.0.1"]
            """).withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (proxied != null) proxied.stop();
  }

  /** Closes this test's clients and waits until the node has let go of them, so the next test starts empty. */
  @AfterEach
  void closeAll() {
    open.forEach(WireClient::close);
    open.clear();
    assertEquals(0.0, Http.awaitMetric(node, TCP, 0, Duration.ofSeconds(10)));
    assertEquals(0.0, Http.awaitMetric(node, WS, 0, Duration.ofSeconds(10)));
  }

  <C extends WireClient> C keep(C c) {
    open.add(c);
    return c;
  }

  URI ws(Node n) {
    return URI.create("ws://127.0.0.1:" + n.httpAddress().getPort() + "/ws");
  }

  WebSocketWireClient wsFrom(Node n, String forwardedFor) {
    return keep(new WebSocketWireClient(ws(n), HttpClient.newHttpClient(), Map.of("X-Forwarded-For", forwardedFor)));
  }

  static void assertBusy(WireClient c) {
    JsonNode m = c.next();
    assertEquals("error", m.path("type").asText(), m.toString());
    assertEquals("server_busy", m.path("code").asText(), m.toString());
    assertTrue(c.closedWithin(Duration.ofSeconds(5)), "closed after server_busy");
  }

  /** Retries until the node has a place again (a closed connection's place comes back asynchronously). */
  static <C extends WireClient> C connectWhenFree(Supplier<C> connect) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      C c = connect.get();
      c.send("{\"type\":\"hello\",\"name\":\"again\"}");
      JsonNode m = c.next();
      if ("welcome".equals(m.path("type").asText())) return c;
      c.close();
      if (System.nanoTime() > deadline) throw new AssertionError("no place within 10 s: " + m);
    }
  }

  @Test
  void aThousandGetWsWithoutUpgradeGet400AndLeaveNoSession() throws Exception {
    double wsBefore = Http.metric(node, WS);
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest plain = HttpRequest.newBuilder(URI.create(Http.publicBase(node) + "/ws")).timeout(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> r = http.send(plain, HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
    }
    assertEquals(wsBefore, Http.metric(node, WS), "no session was registered for a request without an upgrade");
    // nor did they take places under the caps: a real client still gets in, three times from this address
    for (int i = 0; i < 3; i++) keep(new WebSocketWireClient(ws(node))).hello("real" + i);
    assertEquals(wsBefore + 3, Http.metric(node, WS));
  }

  @Test
  void capsPerAddressThenPerNodeAnswerServerBusyAndClose() {
    double busyBefore = Http.metric(node, "tickroom_errors_total{code=\"server_busy\"}");
    List<TcpWireClient> first = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      first.add(keep(TcpWireClient.from("127.0.0.1", node.gameAddress())));
      first.get(i).hello("a" + i);
    }
    assertBusy(keep(TcpWireClient.from("127.0.0.1", node.gameAddress()))); // 4th from one address
    assertBusy(keep(new WebSocketWireClient(ws(node)))); // the cap counts both transports

    for (int i = 0; i < 3; i++) keep(TcpWireClient.from("127.0.0.2", node.gameAddress())).hello("b" + i);
    assertBusy(keep(TcpWireClient.from("127.0.0.3", node.gameAddress()))); // 7th on the node

    // counted before the retry below: its first tries may still be refused while the place comes back
    assertEquals(3.0, Http.metric(node, "tickroom_errors_total{code=\"server_busy\"}") - busyBefore);
    first.get(0).close(); // a place comes free
    keep(connectWhenFree(() -> TcpWireClient.from("127.0.0.3", node.gameAddress())));
  }

  @Test
  void xForwardedForFromAnUntrustedPeerIsIgnored() {
    for (int i = 0; i < 3; i++) wsFrom(node, "198.51.100." + (i + 1)).hello("x" + i);
    // a fourth "client" claiming yet another address is still 127.0.0.1, which has its three
    assertBusy(wsFrom(node, "198.51.100.4"));
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnCap() {
    wsFrom(proxied, "203.0.113.1").hello("p1");
    wsFrom(proxied, "203.0.113.2").hello("p2");
    assertBusy(wsFrom(proxied, "203.0.113.1")); // one per address on this node
    // a forged hop further out does not help: the nearest untrusted address counts
    assertBusy(wsFrom(proxied, "203.0.113.77, 203.0.113.2"));
  }

  @Test
  void aClosingConnectionThatDoesNotReadIsAbortedAfterTheFlushDeadline() {
    TcpWireClient c = keep(new TcpWireClient(node.gameAddress(), 2048));
    c.hello("stuck");
    // pongs of 60 KB each fill the kernel buffers both ways (the client reads nothing from here on)
    String big = "{\"type\":\"ping\",\"t\":\"" + "p".repeat(60_000) + "\"}";
    for (int i = 0; i < 6; i++) c.send(big);
    byte[] tooLong = new byte[65_537];
    java.util.Arrays.fill(tooLong, (byte) 'x');
    c.sendRaw(tooLong); // frame_too_large: the session closes and its last messages cannot be flushed
    c.sendRaw("\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(0.0, Http.awaitMetric(node, TCP, 0, Duration.ofSeconds(10)),
        "the connection is aborted once the 1 s flush deadline has passed");
  }
}
