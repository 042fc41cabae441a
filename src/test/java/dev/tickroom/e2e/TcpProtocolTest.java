package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The protocol over real TCP on an ephemeral loopback port, plus what only a byte stream can get wrong. */
class TcpProtocolTest extends ProtocolContract {
  static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString(
            "tickroom.limits.outbound-queue = 32\n"
            + "tickroom.limits.socket-send-buffer = 8192\n")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Override
  protected WireClient connect() {
    return new TcpWireClient(node.gameAddress());
  }

  @Override
  protected void abortMidMessage(WireClient client) {
    TcpWireClient tcp = (TcpWireClient) client;
    tcp.sendRaw("{\"type\":\"ping\",\"t\":".getBytes(StandardCharsets.UTF_8));
    tcp.abort();
  }

  @Test
  void crLfLineEndingsAndSeveralMessagesInOneWrite() {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.sendRaw("{\"type\":\"hello\",\"name\":\"crlf\"}\r\n{\"type\":\"ping\",\"t\":1}\r\n{\"type\":\"ping\",\"t\":2}\n"
          .getBytes(StandardCharsets.UTF_8));
      assertEquals("welcome", c.next().get("type").asText());
      assertEquals(1, c.next().get("t").asInt());
      assertEquals(2, c.next().get("t").asInt());
    }
  }

  @Test
  void aLineOver64KiBIsAnsweredWithFrameTooLargeThenClosed() {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("big");
      byte[] huge = new byte[65536 + 10];
      Arrays.fill(huge, (byte) 'x');
      c.sendRaw(huge);
      assertEquals("frame_too_large", c.error());
      assertTrue(c.closedWithin(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aLineOfExactly64KiBIsAccepted() {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("edge");
      String head = "{\"type\":\"ping\",\"t\":\"";
      String line = head + "y".repeat(65536 - head.length() - 2) + "\"}";
      assertEquals(65536, line.getBytes(StandardCharsets.UTF_8).length);
      c.send(line);
      assertEquals("pong", c.next().get("type").asText());
    }
  }

  @Test
  void exactlyAtTheEdge65536BytesWithCrLfPassAnd65537GetFrameTooLarge() {
    String head = "{\"type\":\"ping\",\"t\":\"";
    String atLimit = head + "y".repeat(65536 - head.length() - 2) + "\"}";
    String overByOne = head + "y".repeat(65537 - head.length() - 2) + "\"}";
    assertEquals(65536, atLimit.getBytes(StandardCharsets.UTF_8).length);
    assertEquals(65537, overByOne.getBytes(StandardCharsets.UTF_8).length);
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("edge-crlf");
      c.sendRaw((atLimit + "\r\n").getBytes(StandardCharsets.UTF_8));
      assertEquals("pong", c.next().get("type").asText());
    }
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("edge-over");
      c.send(overByOne); // the newline follows at once: the byte kept for "\r\n" must not take a 65,537th
      assertEquals("frame_too_large", c.error());
      assertTrue(c.closedWithin(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aSlowReaderIsConflatedThenDroppedWithoutStallingOthers() {
    String room = freshRoom("slow");
    try (TcpWireClient fast = new TcpWireClient(node.gameAddress());
        TcpWireClient slow = new TcpWireClient(node.gameAddress(), 2048)) {
      fast.hello("fast");
      slow.hello("slow");
      fast.join(room, "arena");
      slow.join(room, "arena");
      // slow now stops reading. fast chats at a pace the rate limit allows; each chat also goes to slow,
      // whose unsendable messages pile up until the server gives up on it.
      long lastTick = -1;
      String text = "z".repeat(500);
      for (int i = 0; i < 100; i++) {
        fast.send("{\"type\":\"chat\",\"text\":\"" + text + "\"}");
        JsonNode m = fast.await(x -> "chat".equals(x.path("type").asText()) || "state".equals(x.path("type").asText()));
        if ("state".equals(m.get("type").asText())) {
          long tick = m.get("tick").asLong();
          assertTrue(tick > lastTick);
          lastTick = tick;
        }
      }
      // fast kept getting states all along; let it read on for a second's worth of ticks, none missing
      JsonNode first = fast.awaitType("state");
      long t0 = first.get("tick").asLong();
      for (int i = 1; i <= 20; i++) {
        assertEquals(t0 + i, fast.awaitType("state").get("tick").asLong(), "fast must not miss ticks");
      }
      // the slow client was disconnected: once it reads what the kernel buffered, the stream ends
      assertTrue(slow.closedWithin(Duration.ofSeconds(10)), "slow reader disconnected");
    }
  }
}
