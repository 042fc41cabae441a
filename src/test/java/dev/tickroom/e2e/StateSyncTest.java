package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compact state sync end to end, on TCP and WebSocket: clients with every sync and format in one room hold
 * identical states every tick, and a slow {@code patch} reader gets a correct state after conflation.
 */
@Timeout(90)
class StateSyncTest {
  static Node node;
  private static final AtomicInteger rooms = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString("tickroom.limits.socket-send-buffer = 8192\n")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  private SyncClient client(String transport, String format) {
    return "tcp".equals(transport)
        ? SyncClient.tcp(node.gameAddress(), format, 0)
        : SyncClient.ws(URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/ws"), format);
  }

  private static String room(String prefix) {
    return prefix + "-" + rooms.incrementAndGet() + "-" + System.nanoTime() % 100000;
  }

  /** Every tick all clients saw, they hold the same state; returns how many ticks that was. */
  private static int assertSameStates(List<SyncClient> clients) {
    TreeSet<Long> common = new TreeSet<>(clients.get(0).byTick.keySet());
    for (SyncClient c : clients) common.retainAll(c.byTick.keySet());
    for (long tick : common) {
      JsonNode expected = clients.get(0).byTick.get(tick);
      for (SyncClient c : clients) assertEquals(expected, c.byTick.get(tick), "tick " + tick);
    }
    return common.size();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void patchAndFullClientsHoldTheSameArenaStateFor200Ticks(String transport) throws Exception {
    String room = room("sync");
    Random rnd = new Random(42);
    String[][] kinds = {{"full", "json"}, {"patch", "json"}, {"patch", "cbor"}, {"full", "cbor"}};
    List<SyncClient> clients = new ArrayList<>();
    try {
      for (String[] k : kinds) {
        SyncClient c = client(transport, k[1]);
        clients.add(c);
        c.hello(k[0] + "-" + k[1], k[0]);
        c.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"arena\"}");
        c.await("joined");
      }
      long[] seq = new long[clients.size()];
      for (int i = 0; i < 230; i++) {
        for (int n = 0; n < clients.size(); n++) {
          SyncClient c = clients.get(n);
          if (i % 4 == n % 4) {
            c.send("{\"type\":\"input\",\"seq\":" + (++seq[n]) + ",\"data\":{\"dx\":" + (rnd.nextInt(3) - 1)
                + ",\"dy\":" + (rnd.nextInt(3) - 1) + "}}");
          }
          c.await("state");
        }
      }
      int ticks = assertSameStates(clients);
      assertTrue(ticks >= 200, "compared " + ticks + " ticks");
      assertTrue(clients.get(1).patches > 150 && clients.get(2).patches > 150,
          "the patch clients got patches: " + clients.get(1).patches + ", " + clients.get(2).patches);
      assertEquals(0, clients.get(0).patches + clients.get(3).patches, "full clients get no patches");
      JsonNode last = clients.get(0).byTick.get(clients.get(0).byTick.keySet().stream().max(Long::compare).get());
      assertEquals(4, last.get("players").size());
      System.out.printf("%s bytes for %d states: full/json %d, patch/json %d, patch/cbor %d, full/cbor %d%n", transport,
          230, clients.get(0).bytes, clients.get(1).bytes, clients.get(2).bytes, clients.get(3).bytes);
      assertTrue(clients.get(1).bytes * 2 < clients.get(0).bytes, "patch json at most half of full json");
      assertTrue(clients.get(2).bytes < clients.get(1).bytes, "cbor smaller still");
    } finally {
      clients.forEach(SyncClient::close);
    }
  }

  /**
   * While only full clients are in a room it makes no patches; patch clients that join later get their
   * first state in full, then patches from the view before, and hold what the full clients hold.
   */
  @Test
  void patchClientsThatJoinARoomOfFullClientsLaterHoldTheSameStates() throws Exception {
    String room = room("late");
    Random rnd = new Random(7);
    List<SyncClient> clients = new ArrayList<>();
    try {
      String[][] kinds = {{"full", "json"}, {"full", "cbor"}, {"patch", "json"}, {"patch", "cbor"}};
      for (String[] k : kinds) clients.add(client("tcp", k[1]));
      for (int n = 0; n < clients.size(); n++) clients.get(n).hello(kinds[n][0] + "-" + kinds[n][1], kinds[n][0]);
      long[] seq = new long[clients.size()];
      for (int i = 0; i < 200; i++) {
        if (i == 0 || i == 50) { // the full clients first, the patch clients 50 ticks later
          for (SyncClient c : clients.subList(i == 0 ? 0 : 2, i == 0 ? 2 : 4)) {
            c.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"arena\"}");
            c.await("joined");
          }
        }
        for (int n = 0; n < (i < 50 ? 2 : 4); n++) {
          SyncClient c = clients.get(n);
          if (i % 2 == n % 2) {
            c.send("{\"type\":\"input\",\"seq\":" + (++seq[n]) + ",\"data\":{\"dx\":" + (rnd.nextInt(3) - 1)
                + ",\"dy\":" + (rnd.nextInt(3) - 1) + "}}");
          }
          c.await("state");
        }
      }
      int ticks = assertSameStates(clients);
      assertTrue(ticks >= 140, "compared " + ticks + " ticks");
      for (SyncClient c : clients.subList(2, 4)) {
        assertTrue(c.fulls >= 1 && c.patches > 120, "a full state first, then patches: " + c.fulls + ", " + c.patches);
      }
      assertEquals(0, clients.get(0).patches + clients.get(1).patches, "full clients get no patches");
      JsonNode last = clients.get(0).byTick.get(clients.get(0).byTick.keySet().stream().max(Long::compare).get());
      assertEquals(4, last.get("players").size());
    } finally {
      clients.forEach(SyncClient::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void patchAndFullPlayersHoldTheSameTicTacToeStateForAWholeGame(String transport) throws Exception {
    String room = room("ttt");
    try (SyncClient x = client(transport, "cbor"); SyncClient o = client(transport, "json")) {
      x.hello("x", "patch");
      o.hello("o", "full");
      x.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"tictactoe\"}");
      x.await("joined");
      o.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"tictactoe\"}");
      o.await("joined");
      int[][] moves = {{0, 0}, {1, 3}, {0, 1}, {1, 4}, {0, 2}}; // X takes the top row
      SyncClient[] players = {x, o};
      for (int i = 0; i < moves.length; i++) {
        if (i == moves.length - 1) {
          // enough ticks to compare before the winning move: a finished game ends its room (v1.1)
          for (int k = 0; k < 10; k++) {
            x.await("state");
            o.await("state");
          }
        }
        SyncClient p = players[moves[i][0]];
        p.send("{\"type\":\"input\",\"seq\":" + (i + 1) + ",\"data\":{\"cell\":" + moves[i][1] + "}}");
        for (;;) {
          JsonNode s = p.await("state");
          if (s.get("ack").asLong() >= i + 1) break;
        }
      }
      // the final state, then left {reason: finished, result}
      JsonNode left = x.await("left");
      assertEquals("finished", left.get("reason").asText());
      assertFalse(left.get("result").get("winner").isNull(), "the result names the winner: " + left);
      assertEquals("finished", o.await("left").get("reason").asText());
      // read both up to the same tick
      long lastX = x.byTick.keySet().stream().max(Long::compare).get();
      while (o.byTick.keySet().stream().max(Long::compare).get() < lastX) o.await("state");
      long lastO = o.byTick.keySet().stream().max(Long::compare).get();
      while (x.byTick.keySet().stream().max(Long::compare).get() < lastO) x.await("state");
      int ticks = assertSameStates(List.of(x, o));
      assertTrue(ticks >= 10, "compared " + ticks + " ticks");
      JsonNode end = x.byTick.get(lastO);
      assertEquals("X", end.get("board").get(2).asText());
      assertTrue(end.has("winner") && !end.get("winner").isNull(), "the game is over: " + end);
      assertTrue(x.patches > 0, "X got patches");
    }
  }

  @Test
  void aSlowPatchReaderGetsAFullStateAfterConflationAndThenTheRightStates() throws Exception {
    String room = room("slow");
    try (SyncClient fast = client("tcp", "cbor");
        SyncClient mover = client("tcp", "json");
        SyncClient slow = SyncClient.tcp(node.gameAddress(), "json", 1024)) {
      fast.hello("fast", "patch");
      mover.hello("mover", "full");
      slow.hello("slow", "patch");
      for (SyncClient c : List.of(fast, mover, slow)) {
        c.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"arena\"}");
        c.await("joined");
      }
      slow.await("state");
      // slow stops reading while the others move every tick and read on; fast also chats (500 characters,
      // within the rate limit), so that slow's socket buffers fill for sure and its states get conflated
      long seq = 0;
      String text = "z".repeat(500);
      for (int i = 0; i < 200; i++) {
        if (i % 2 == 0) fast.send("{\"type\":\"chat\",\"text\":\"" + text + "\"}");
        // both move, then stop one after the other: a stop shows only in the patch of the tick it happens,
        // so a client that patched on after missing that tick would keep a wrong position
        int dx = (i / 40) % 2 == 0 ? 1 : -1;
        int m = i < 100 ? dx : 0;
        int f = i < 150 ? dx : 0;
        mover.send("{\"type\":\"input\",\"seq\":" + (++seq) + ",\"data\":{\"dx\":" + m + ",\"dy\":" + m + "}}");
        fast.send("{\"type\":\"input\",\"seq\":" + seq + ",\"data\":{\"dx\":" + (-f) + ",\"dy\":" + f + "}}");
        fast.await("state");
        mover.await("state");
      }
      long target = fast.byTick.keySet().stream().max(Long::compare).get();
      while (slow.byTick.isEmpty() || slow.byTick.keySet().stream().max(Long::compare).get() < target) slow.await("state");
      List<Long> ticks = new ArrayList<>(slow.byTick.keySet());
      boolean gap = false;
      for (int i = 1; i < ticks.size(); i++) gap |= ticks.get(i) > ticks.get(i - 1) + 1;
      assertTrue(gap, "the slow reader's states were conflated (some ticks never reached it): " + ticks);
      int compared = 0;
      for (Map.Entry<Long, JsonNode> e : slow.byTick.entrySet()) {
        JsonNode f = fast.byTick.get(e.getKey());
        if (f != null) {
          assertEquals(f, e.getValue(), "tick " + e.getKey());
          compared++;
        }
      }
      assertTrue(compared > 20, "compared " + compared);
      assertTrue(slow.fulls >= 2, "a full state came after the gap (fulls: " + slow.fulls + ", ticks " + slow.byTick.keySet() + ")");
      assertTrue(slow.patches > 0);
    }
  }

  @Test
  void onTcpTheBytesRightAfterACborHelloLineAreCborEvenInTheSameWrite() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.gameAddress().getPort())) {
      s.setSoTimeout(10_000);
      dev.tickroom.protocol.Cbor.Encoder enc = new dev.tickroom.protocol.Cbor.Encoder();
      byte[] hello = "{\"type\":\"hello\",\"name\":\"pipe\",\"format\":\"cbor\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] ping = enc.encodeFramed(dev.tickroom.protocol.Codec.MAPPER.readTree("{\"type\":\"ping\",\"t\":7}"));
      byte[] both = java.util.Arrays.copyOf(hello, hello.length + ping.length);
      System.arraycopy(ping, 0, both, hello.length, ping.length);
      s.getOutputStream().write(both);
      java.io.InputStream in = s.getInputStream();
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        assertTrue(b >= 0, "closed");
        line.write(b);
      }
      assertEquals("welcome", dev.tickroom.protocol.Codec.MAPPER.readTree(line.toByteArray()).get("type").asText(),
          "welcome is a JSON line");
      int len = in.read();
      assertTrue(len > 0 && len < 24, "a CBOR length head: " + len);
      JsonNode pong = new dev.tickroom.protocol.Cbor.Decoder().decode(in.readNBytes(len));
      assertEquals("pong", pong.get("type").asText());
      assertEquals(7, pong.get("t").asInt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void aCborDocumentOverTheLimitIsAnsweredFrameTooLargeInCborThenClosed(String transport) throws Exception {
    try (SyncClient c = client(transport, "cbor")) {
      c.hello("big", "full");
      byte[] doc = new byte[65_537 + 4];
      // a text string of 65,532 bytes inside a map: one byte over the limit as a document
      if ("tcp".equals(transport)) {
        byte[] framed = new byte[5 + doc.length];
        framed[0] = 0x1a;
        int n = doc.length;
        framed[1] = (byte) (n >>> 24);
        framed[2] = (byte) (n >>> 16);
        framed[3] = (byte) (n >>> 8);
        framed[4] = (byte) n;
        c.sendRaw(framed);
      } else {
        c.sendRaw(doc);
      }
      JsonNode error = c.await("error");
      assertEquals("frame_too_large", error.get("code").asText(), error.toString());
      assertTrue(c.closed(), "closed after frame_too_large");
    }
  }
}
