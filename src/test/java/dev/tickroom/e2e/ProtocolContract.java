package dev.tickroom.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol cases every transport must pass, written once. A subclass says how to connect; the cases
 * run against a live node.
 */
@Timeout(60)
public abstract class ProtocolContract {
  private static final AtomicInteger rooms = new AtomicInteger();

  /** A new connection to the node under test. */
  protected abstract WireClient connect();

  protected static String freshRoom(String prefix) {
    return prefix + "-" + rooms.incrementAndGet() + "-" + System.nanoTime() % 100000;
  }

  /** The player's entry in an arena state, or null. */
  protected static JsonNode arenaPlayer(JsonNode state, String player) {
    JsonNode p = state.path("state").path("players").get(player);
    return p == null || p.isMissingNode() ? null : p;
  }

  @Test
  void twoPlayersInOneArenaRoomSeeEachOtherMove() {
    String room = freshRoom("arena");
    try (WireClient a = connect(); WireClient b = connect()) {
      String pa = a.hello("ann").get("player").asText();
      String pb = b.hello("bob").get("player").asText();
      JsonNode ja = a.join(room, "arena");
      assertEquals("joined", ja.get("type").asText(), ja.toString());
      assertEquals(room, ja.get("room").asText());
      assertEquals("arena", ja.get("game").asText());
      assertEquals(pa, ja.get("player").asText());
      assertTrue(ja.get("tick").isIntegralNumber());
      assertTrue(ja.get("state").get("players").has(pa));
      assertEquals("joined", b.join(room, null).get("type").asText());

      // b sees a appear, then a moves right: b sees a's x grow
      JsonNode seen = b.await(m -> "state".equals(m.path("type").asText()) && arenaPlayer(m, pa) != null);
      double x0 = arenaPlayer(seen, pa).get("x").asDouble();
      a.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
      JsonNode acked = a.await(m -> "state".equals(m.path("type").asText()) && m.get("ack").asLong() >= 1);
      assertEquals(room, acked.get("room").asText());
      JsonNode moved = b.await(m -> "state".equals(m.path("type").asText())
          && arenaPlayer(m, pa) != null && arenaPlayer(m, pa).get("x").asDouble() > Math.min(x0 + 9, 999));
      assertEquals(-1, moved.get("ack").asLong(), "b sent no input, so its own ack stays -1");
      assertTrue(moved.get("state").get("players").has(pb));
    }
  }

  @Test
  void statesArriveEveryTickWithIncreasingTickNumbers() {
    try (WireClient a = connect()) {
      a.hello("ticker");
      a.join(freshRoom("ticks"), "arena");
      long last = -1;
      for (int i = 0; i < 10; i++) {
        JsonNode s = a.awaitType("state");
        long tick = s.get("tick").asLong();
        assertTrue(tick > last, "ticks increase");
        last = tick;
      }
    }
  }

  @Test
  void everyBadInputGetsOneClearErrorAndTheConnectionStaysUsable() {
    try (WireClient c = connect()) {
      c.send("this is not json");
      assertEquals("bad_json", c.error());
      c.send("{\"type\":\"ping\",\"t\":1}");
      assertEquals("not_authenticated", c.error());
      c.send("{\"type\":\"join\",\"room\":\"x\"}");
      assertEquals("not_authenticated", c.error());
      c.send("{\"type\":\"hello\",\"name\":\"" + "n".repeat(33) + "\"}");
      assertEquals("bad_request", c.error());
      c.hello("eve");
      c.send("{\"type\":\"hello\",\"name\":\"eve\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"teleport\"}");
      assertEquals("unknown_type", c.error());
      c.send("{\"type\":\"join\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"join\",\"room\":\"bad room!\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"join\",\"room\":\"" + "r".repeat(65) + "\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"join\",\"room\":\"" + freshRoom("nogame") + "\",\"game\":\"chess\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"input\",\"seq\":1,\"data\":{}}");
      assertEquals("not_in_room", c.error());
      c.send("{\"type\":\"leave\"}");
      assertEquals("not_in_room", c.error());
      c.send("{\"type\":\"chat\",\"text\":\"hi\"}");
      assertEquals("not_in_room", c.error());
      c.send("{\"type\":\"ping\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"ping\",\"t\":1} trailing");
      assertEquals("bad_json", c.error());

      String room = freshRoom("bad");
      assertEquals("joined", c.join(room, "arena").get("type").asText());
      c.send("{\"type\":\"chat\",\"text\":\"" + "c".repeat(501) + "\"}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"input\",\"seq\":\"one\",\"data\":{}}");
      assertEquals("bad_request", c.error());
      c.send("{\"type\":\"input\",\"seq\":3,\"data\":{\"dx\":7}}");
      String gameError = c.error(); // the arena game rejects a direction out of range
      assertFalse(gameError.isEmpty());
      c.send("{\"type\":\"input\",\"seq\":2,\"data\":{\"dx\":1}}");
      assertEquals("bad_request", c.error()); // seq must increase
      c.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"tictactoe\"}");
      assertEquals("bad_request", c.error()); // the room plays arena

      // still usable after all of it
      c.send("{\"type\":\"ping\",\"t\":{\"big\":123456789012345678901234567890.1234567890}}");
      JsonNode pong = c.nextNonState();
      assertEquals("pong", pong.get("type").asText());
    }
  }

  @Test
  void pingEchoesTheValueExactly() {
    try (WireClient c = connect()) {
      c.hello("pinger");
      String[] values = {"1", "123456789012345678901234567890.000000000000000000001", "1e400", "-0.0",
          "\"text\"", "null", "[1,{\"a\":[]}]"};
      for (String v : values) {
        c.send("{\"type\":\"ping\",\"t\":" + v + "}");
        String raw = c.nextRaw(Duration.ofSeconds(5));
        assertEquals("{\"type\":\"pong\",\"t\":" + v + "}", raw);
      }
    }
  }

  @Test
  void aFullRoomRejectsAndTicTacToeTurnsAreEnforced() {
    String room = freshRoom("ttt");
    try (WireClient x = connect(); WireClient o = connect(); WireClient third = connect()) {
      String px = x.hello("x").get("player").asText();
      o.hello("o");
      third.hello("third");
      assertEquals("joined", x.join(room, "tictactoe").get("type").asText());
      x.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"cell\":4}}");
      assertEquals("waiting_for_opponent", x.error());
      assertEquals("joined", o.join(room, "tictactoe").get("type").asText());
      assertEquals("room_full", third.join(room, "tictactoe").get("code").asText());
      o.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"cell\":0}}");
      assertEquals("not_your_turn", o.error());
      x.send("{\"type\":\"input\",\"seq\":2,\"data\":{\"cell\":4}}");
      JsonNode s = o.await(m -> "state".equals(m.path("type").asText())
          && "X".equals(m.path("state").path("board").path(4).asText()));
      assertEquals("X", s.get("state").get("marks").get(px).asText());
      o.send("{\"type\":\"input\",\"seq\":2,\"data\":{\"cell\":4}}");
      assertEquals("cell_taken", o.error());
    }
  }

  @Test
  void anInputRightAfterALeaveIsNotInRoomEvenOnTheFastPath() {
    String room = freshRoom("order");
    try (WireClient a = connect()) {
      a.hello("ann");
      a.join(room, "arena");
      a.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
      a.await(m -> "state".equals(m.path("type").asText()) && m.get("ack").asLong() >= 1);
      // inputs now take the shortcut from the connection to the room; a leave sent just before one must
      // still be in effect when it arrives
      a.send("{\"type\":\"leave\"}");
      a.send("{\"type\":\"input\",\"seq\":2,\"data\":{\"dx\":1,\"dy\":0}}");
      JsonNode first = a.nextNonState();
      JsonNode second = a.nextNonState();
      JsonNode left = "left".equals(first.path("type").asText()) ? first : second;
      JsonNode error = left == first ? second : first;
      assertEquals("left", left.path("type").asText(), first + " " + second);
      assertEquals(room, left.get("room").asText());
      assertEquals("error", error.path("type").asText(), first + " " + second);
      assertEquals("not_in_room", error.get("code").asText());
    }
  }

  @Test
  void helloJoinInputAndPingSentBackToBackTakeEffectInOrder() {
    String room = freshRoom("order");
    try (WireClient a = connect()) {
      a.sendAll("{\"type\":\"hello\",\"name\":\"ann\"}",
          "{\"type\":\"join\",\"room\":\"" + room + "\",\"game\":\"arena\"}",
          "{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}",
          "{\"type\":\"ping\",\"t\":7}");
      JsonNode welcome = a.next();
      assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
      assertTrue(welcome.get("features").toString().contains("\"resync\""), welcome.toString());
      // the pong needs no room, so it may come before joined; nothing else may
      JsonNode first = a.nextNonState();
      JsonNode second = a.nextNonState();
      JsonNode joined = "joined".equals(first.path("type").asText()) ? first : second;
      JsonNode pong = joined == first ? second : first;
      assertEquals("joined", joined.path("type").asText(), first + " " + second);
      assertEquals(room, joined.get("room").asText());
      assertEquals("pong", pong.path("type").asText(), first + " " + second);
      assertEquals(7, pong.get("t").asInt());
      // the input applied to the room being joined: a state acknowledges it, and no error came
      for (int i = 0; ; i++) {
        JsonNode m = a.next();
        assertFalse("error".equals(m.path("type").asText()), m.toString());
        if ("state".equals(m.path("type").asText()) && m.get("ack").asLong() >= 1) {
          assertEquals(room, m.get("room").asText());
          break;
        }
        assertTrue(i < 200, "no state acknowledged the input");
      }
    }
  }

  @Test
  void anInputRightAfterAJoinThatFailsIsNotInRoom() {
    try (WireClient a = connect()) {
      a.hello("ann");
      a.sendAll("{\"type\":\"join\",\"room\":\"" + freshRoom("nogame") + "\",\"game\":\"chess\"}",
          "{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
      assertEquals("bad_request", a.error());
      assertEquals("not_in_room", a.error());
    }
  }

  @Test
  void chatReachesEveryMemberAndLeaveAnswersLeft() {
    String room = freshRoom("chat");
    try (WireClient a = connect(); WireClient b = connect()) {
      String pa = a.hello("ann").get("player").asText();
      b.hello("bob");
      a.join(room, "arena");
      b.join(room, "arena");
      a.send("{\"type\":\"chat\",\"text\":\"gl hf\"}");
      for (WireClient c : new WireClient[] {a, b}) {
        JsonNode chat = c.awaitType("chat");
        assertEquals(room, chat.get("room").asText());
        assertEquals(pa, chat.get("from").asText());
        assertEquals("gl hf", chat.get("text").asText());
      }
      a.send("{\"type\":\"leave\"}");
      JsonNode left = a.awaitType("left");
      assertEquals(room, left.get("room").asText());
      // a is gone from b's view
      b.await(m -> "state".equals(m.path("type").asText()) && arenaPlayer(m, pa) == null);
    }
  }

  @Test
  void anAbruptDisconnectRemovesThePlayerFromItsRoom() {
    String room = freshRoom("gone");
    try (WireClient a = connect(); WireClient b = connect()) {
      String pa = a.hello("ann").get("player").asText();
      b.hello("bob");
      a.join(room, "arena");
      b.join(room, "arena");
      b.await(m -> "state".equals(m.path("type").asText()) && arenaPlayer(m, pa) != null);
      abortMidMessage(a);
      long start = System.nanoTime();
      b.await(m -> "state".equals(m.path("type").asText()) && arenaPlayer(m, pa) == null);
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "gone within 2 s");
    }
  }

  /** Ends a connection in the middle of a message, the rudest way the transport allows. */
  protected abstract void abortMidMessage(WireClient client);
}
