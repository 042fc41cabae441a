package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The idle limit (here 2 s; 60 s by default): a silent connection is told idle_timeout and closed; pings keep one open. */
@Timeout(60)
class IdleTimeoutTest {
  static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString("""
            tickroom.net.idle-timeout = 2s
            tickroom.net.idle-timeout-min = 1s
            """).withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static void assertIdledOut(WireClient c) {
    JsonNode m = c.nextNonState();
    assertEquals("error", m.path("type").asText(), m.toString());
    assertEquals("idle_timeout", m.path("code").asText(), m.toString());
    assertTrue(c.closedWithin(Duration.ofSeconds(5)), "closed after idle_timeout");
  }

  @Test
  void aSilentTcpClientInARoomGetsIdleTimeoutThenIsClosed() {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("quiet");
      c.join("idle-room", "arena"); // states keep coming, but the client says nothing
      assertIdledOut(c);
    }
  }

  @Test
  void aSilentWebSocketClientGetsIdleTimeoutThenIsClosed() {
    try (WireClient c = new WebSocketWireClient(URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/ws"))) {
      c.hello("quiet-ws");
      assertIdledOut(c);
    }
  }

  @Test
  void pingsKeepAQuietConnectionOpenPastTheLimit() throws Exception {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("pinger");
      long until = System.nanoTime() + Duration.ofMillis(3500).toNanos(); // well past the 2 s limit
      int i = 0;
      while (System.nanoTime() < until) {
        c.send("{\"type\":\"ping\",\"t\":" + i + "}");
        JsonNode m = c.next();
        assertEquals("pong", m.path("type").asText(), m.toString());
        assertEquals(i++, m.path("t").asInt());
        Thread.sleep(500); // a client's ping interval, a quarter of the configured limit
      }
    }
  }
}
