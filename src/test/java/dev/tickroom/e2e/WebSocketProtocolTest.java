package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same protocol contract as over TCP, over WebSocket text frames on /ws. */
class WebSocketProtocolTest extends ProtocolContract {
  static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.load("application-test"), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Override
  protected WireClient connect() {
    return new WebSocketWireClient(URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/ws"));
  }

  @Override
  protected void abortMidMessage(WireClient client) {
    ((WebSocketWireClient) client).sendPart("{\"type\":\"ping\",", false);
    client.abort();
  }

  @Test
  void aMessageOver64KiBIsAnsweredWithFrameTooLargeThenClosed() {
    try (WebSocketWireClient c = (WebSocketWireClient) connect()) {
      c.hello("big");
      String chunk = "x".repeat(16 * 1024);
      for (int i = 0; i < 4; i++) c.sendPart(chunk, false);
      c.sendPart("xx", true);
      assertEquals("frame_too_large", c.error());
      assertTrue(c.closedWithin(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aFragmentedMessageOfExactly65536BytesPasses() {
    try (WebSocketWireClient c = (WebSocketWireClient) connect()) {
      c.hello("ws-edge");
      String head = "{\"type\":\"ping\",\"t\":\"";
      String line = head + "\u00e9".repeat(100) + "y".repeat(65536 - head.length() - 2 - 200) + "\"}";
      assertEquals(65536, line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      for (int i = 0; i < line.length(); i += 16 * 1024) {
        c.sendPart(line.substring(i, Math.min(line.length(), i + 16 * 1024)), i + 16 * 1024 >= line.length());
      }
      assertEquals("pong", c.next().get("type").asText());
    }
  }

  @Test
  void aMessageIsRefusedAsSoonAsItsFragmentsPass65536BytesWithoutWaitingForItsEnd() {
    try (WebSocketWireClient c = (WebSocketWireClient) connect()) {
      c.hello("ws-over");
      String chunk = "x".repeat(16 * 1024);
      for (int i = 0; i < 4; i++) c.sendPart(chunk, false); // 65,536 bytes so far: still within the limit
      c.sendPart("x", false); // the 65,537th byte, and the message never ends
      assertEquals("frame_too_large", c.error());
      assertTrue(c.closedWithin(Duration.ofSeconds(5)));
    }
  }

  @Test
  void fragmentsOfOneMessageAreJoined() {
    try (WebSocketWireClient c = (WebSocketWireClient) connect()) {
      c.sendPart("{\"type\":\"hel", false);
      c.sendPart("lo\",\"name\":\"frag\"}", true);
      assertEquals("welcome", c.next().get("type").asText());
    }
  }
}
