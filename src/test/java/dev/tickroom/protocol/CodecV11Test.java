package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The v1.1 matchmaking and game-event messages on the wire (PROTOCOL.md, v1.1 additions). */
class CodecV11Test {
  static JsonNode tree(byte[] b) throws Exception {
    return Codec.MAPPER.readTree(b);
  }

  static String bad(String line) {
    Decoded.Invalid inv = assertInstanceOf(Decoded.Invalid.class, Codec.decode(line));
    assertEquals(ErrorCode.BAD_REQUEST, inv.code(), line);
    return inv.message();
  }

  @Test
  void quickJoinWithFilterAndOptions() throws Exception {
    ClientMessage.QuickJoin q = assertInstanceOf(ClientMessage.QuickJoin.class, Codec.decode(
        "{\"type\":\"quick_join\",\"game\":\"dash\",\"filter\":{\"mode\":\"duo\",\"rounds\":3,\"ranked\":false},\"options\":{\"color\":\"#ff0000\"}}"));
    assertEquals("dash", q.game());
    assertEquals(Map.of("mode", "duo", "rounds", 3L, "ranked", false), q.filter());
    assertEquals("#ff0000", q.options().get("color").asText());
    ClientMessage.QuickJoin plain = assertInstanceOf(ClientMessage.QuickJoin.class, Codec.decode("{\"type\":\"quick_join\",\"game\":\"arena\"}"));
    assertEquals(Map.of(), plain.filter());
    assertNull(plain.options());
  }

  @Test
  void quickJoinRefusesWhatAFilterOrOptionsMayNotBe() {
    bad("{\"type\":\"quick_join\"}");
    bad("{\"type\":\"quick_join\",\"game\":5}");
    assertTrue(bad("{\"type\":\"quick_join\",\"game\":\"g\",\"filter\":{\"a\":{\"b\":1}}}").contains("'a'"));
    bad("{\"type\":\"quick_join\",\"game\":\"g\",\"filter\":[1]}");
    bad("{\"type\":\"quick_join\",\"game\":\"g\",\"filter\":{\"a\":null}}");
    bad("{\"type\":\"quick_join\",\"game\":\"g\",\"options\":\"x\"}");
    String big = "x".repeat(4100);
    assertTrue(bad("{\"type\":\"join\",\"room\":\"r\",\"options\":{\"k\":\"" + big + "\"}}").contains("4 KiB"));
  }

  @Test
  void joinCarriesOptionsAndListRoomsAGame() throws Exception {
    ClientMessage.Join j = assertInstanceOf(ClientMessage.Join.class,
        Codec.decode("{\"type\":\"join\",\"room\":\"r\",\"game\":\"dash\",\"options\":{\"rounds\":2}}"));
    assertEquals(2, j.options().get("rounds").asInt());
    assertEquals(new ClientMessage.ListRooms("dash"), Codec.decode("{\"type\":\"list_rooms\",\"game\":\"dash\"}"));
    assertEquals(new ClientMessage.ListRooms(null), Codec.decode("{\"type\":\"list_rooms\"}"));
  }

  @Test
  void encodesEventsLeftWithAResultRoomsAndFeatures() throws Exception {
    JsonNode ev = tree(Codec.encode(new ServerMessage.Event("r", "round_won", "{\"player\":\"p1\"}".getBytes(StandardCharsets.UTF_8))));
    assertEquals("{\"type\":\"event\",\"room\":\"r\",\"name\":\"round_won\",\"data\":{\"player\":\"p1\"}}", ev.toString());
    JsonNode left = tree(Codec.encode(new ServerMessage.Left("r", "finished", "{\"winner\":\"p1\"}".getBytes(StandardCharsets.UTF_8))));
    assertEquals("{\"type\":\"left\",\"room\":\"r\",\"reason\":\"finished\",\"result\":{\"winner\":\"p1\"}}", left.toString());
    JsonNode noResult = tree(Codec.encode(new ServerMessage.Left("r", "finished", null)));
    assertTrue(noResult.has("result") && noResult.get("result").isNull());
    JsonNode rooms = tree(Codec.encode(new ServerMessage.Rooms(List.of(
        new ServerMessage.RoomListing("a", "dash", 3, 8, Map.of("phase", "waiting"))))));
    assertEquals("{\"type\":\"rooms\",\"rooms\":[{\"room\":\"a\",\"game\":\"dash\",\"players\":3,\"max_players\":8,\"label\":{\"phase\":\"waiting\"}}]}",
        rooms.toString());
    JsonNode w = tree(Codec.encode(new ServerMessage.Welcome("p", "n", "t")));
    assertTrue(w.get("features").toString().contains("\"quick_join\""));
  }
}
