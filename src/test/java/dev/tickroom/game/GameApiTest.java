package dev.tickroom.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The v1.1 game SPI on its own: step effects, labels, typed inputs, view encoding, the shared-instance rule. */
class GameApiTest {
  static final PlayerId A = PlayerId.of("a");

  record Move(int dx, int dy) {
    Move {
      if (dx < -1 || dx > 1) throw new IllegalArgumentException("dx must be -1, 0 or 1");
    }
  }

  static JsonNode json(String s) throws Exception {
    return GameJson.MAPPER.readTree(s);
  }

  @Test
  void stepCarriesEventsToAllAndToOneInOrder() {
    Step<String> step = Step.of("s").event("started", Map.of("n", 1)).eventTo(A, "hint", "go left");
    assertEquals(2, step.events().size());
    assertNull(step.events().get(0).to());
    assertEquals("started", step.events().get(0).name());
    assertEquals(A, step.events().get(1).to());
    assertThrows(IllegalArgumentException.class, () -> Step.of("s").event("", null));
    assertThrows(IllegalArgumentException.class, () -> Step.of("s").eventTo(null, "x", null));
  }

  @Test
  void finishWithAResultAndWithout() {
    assertTrue(Step.of("s").finish(Map.of("winner", "a")).finished());
    assertEquals(Map.of("winner", "a"), Step.of("s").finish(Map.of("winner", "a")).result());
    Step<String> plain = Step.of("s").finish();
    assertTrue(plain.finished());
    assertNull(plain.result());
  }

  @Test
  void labelTakesStringsNumbersAndBooleansOnly() {
    assertEquals(Map.of("mode", "duo", "rounds", 3, "open", true),
        Step.of("s").label(Map.of("mode", "duo", "rounds", 3, "open", true)).label());
    assertNull(Step.of("s").label(), "no label set: the room keeps the one it has");
    assertThrows(IllegalArgumentException.class, () -> Step.of("s").label(Map.of("nested", Map.of())));
    assertThrows(IllegalArgumentException.class, () -> Step.of("s").label(Map.of("list", List.of(1))));
  }

  @Test
  void withStateKeepsEveryEffect() {
    Step<String> first = Step.of("a").error(A, "e", "m").event("x", null).label(Map.of("k", 1)).kick(A);
    Step<Integer> second = first.withState(2).finish("done");
    assertEquals(2, second.state());
    assertEquals(1, second.notices().size());
    assertEquals(1, second.events().size());
    assertEquals(Map.of("k", 1), second.label());
    assertEquals(List.of(A), second.kicks());
    assertEquals("done", second.result());
  }

  @Test
  void typedInputsDecodeStrictlyAndSayWhatDoesNotFit() throws Exception {
    assertEquals(new Move(1, -1), GameJson.decode(json("{\"dx\":1,\"dy\":-1,\"extra\":true}"), Move.class));
    String missing = assertThrows(GameJson.BadInput.class, () -> GameJson.decode(json("{\"dx\":1}"), Move.class)).getMessage();
    assertTrue(missing.contains("dy"), missing);
    assertThrows(GameJson.BadInput.class, () -> GameJson.decode(json("{\"dx\":\"1\",\"dy\":0}"), Move.class));
    assertThrows(GameJson.BadInput.class, () -> GameJson.decode(json("{\"dx\":0.5,\"dy\":0}"), Move.class));
    String range = assertThrows(GameJson.BadInput.class, () -> GameJson.decode(json("{\"dx\":2,\"dy\":0}"), Move.class)).getMessage();
    assertEquals("dx must be -1, 0 or 1", range);
    assertThrows(GameJson.BadInput.class, () -> GameJson.decode(json("[1,2]"), Move.class));
  }

  @Test
  void inputValueIsTheDecodedRecordOrDecodedOnDemand() throws Exception {
    Input raw = new Input(A, 1, json("{\"dx\":0,\"dy\":1}"));
    assertEquals(new Move(0, 1), raw.value(Move.class));
    Input typed = Input.of(A, 2, new Move(1, 0));
    assertEquals(new Move(1, 0), typed.value(Move.class));
    assertEquals(1, typed.data().get("dx").asInt());
  }

  @Test
  void viewsAreWrittenAsRecordsMapsTreesOrRawBytes() throws Exception {
    assertEquals("{\"dx\":1,\"dy\":0}", text(GameJson.write(new Move(1, 0))));
    assertEquals("{\"a\":1}", text(GameJson.write(json("{\"a\":1}"))));
    assertEquals("null", text(GameJson.write(null)));
    GameJson.RawJson raw = GameJson.raw(Map.of("k", "v"));
    assertEquals("{\"k\":\"v\"}", text(GameJson.write(raw)));
    assertTrue(GameJson.write(raw) == raw.json(), "raw JSON is sent as it is, not encoded again");
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A game that keeps room data in a field: refused, since one instance serves every room at once. */
  static final class LeakyGame implements Game<String> {
    private final List<String> seen = new ArrayList<>();

    @Override public GameSpec spec() { return new GameSpec("leaky", 10, 2, true); }
    @Override public String create(RoomSeed seed) { return ""; }
    @Override public Step<String> join(String s, PlayerId who, String name) { seen.add(name); return Step.of(s); }
    @Override public Step<String> leave(String s, PlayerId who, LeaveReason why) { return Step.of(s); }
    @Override public Step<String> tick(String s, long tick, List<Input> inputs) { return Step.of(s); }
    @Override public Object view(String s, PlayerId forWhom) { return s; }
    @Override public JsonNode snapshot(String s) { return GameJson.MAPPER.getNodeFactory().textNode(s); }
    @Override public String restore(RoomSeed seed, JsonNode snapshot) { return snapshot.asText(); }
  }

  static final class CountingGame implements Game<String> {
    private int rooms;

    @Override public GameSpec spec() { return new GameSpec("counting", 10, 2, true); }
    @Override public String create(RoomSeed seed) { rooms++; return ""; }
    @Override public Step<String> join(String s, PlayerId who, String name) { return Step.of(s); }
    @Override public Step<String> leave(String s, PlayerId who, LeaveReason why) { return Step.of(s); }
    @Override public Step<String> tick(String s, long tick, List<Input> inputs) { return Step.of(s); }
    @Override public Object view(String s, PlayerId forWhom) { return s; }
    @Override public JsonNode snapshot(String s) { return null; }
    @Override public String restore(RoomSeed seed, JsonNode snapshot) { return s(); }
    private String s() { return ""; }
  }

  @Test
  void theRegistryRefusesGamesWithMutableInstanceFields() {
    String leaky = assertThrows(IllegalArgumentException.class, () -> new GameRegistry(Map.of("leaky", new LeakyGame()), "leaky")).getMessage();
    assertTrue(leaky.contains("'seen'"), leaky);
    String counting = assertThrows(IllegalArgumentException.class,
        () -> new GameRegistry(Map.of("counting", new CountingGame()), "counting")).getMessage();
    assertTrue(counting.contains("'rooms'"), counting);
    // the shipped games pass
    GameRegistry.fromClassNames(Map.of("arena", "dev.tickroom.games.arena.ArenaGame",
        "tictactoe", "dev.tickroom.games.tictactoe.TicTacToeGame", "dash", "dev.tickroom.games.dash.DashGame"), "arena");
  }

  @Test
  void optionsReachCreateAdmitAndJoinThroughDefaultsForV1Games() throws Exception {
    RoomSeed seed = new RoomSeed("r", 1, Map.of(), json("{\"rounds\":2}"));
    assertEquals(2, seed.options().get("rounds").asInt());
    assertNull(RoomSeed.of("r", 1).options());
    Game<String> v1 = new LeakyGameFree();
    assertTrue(v1.admit("", A, Identity.anonymous(), json("{}")).accepted());
    assertEquals("joined:ann", v1.join("", A, "ann", Identity.anonymous(), json("{}")).state());
  }

  static final class LeakyGameFree implements Game<String> {
    @Override public GameSpec spec() { return new GameSpec("v1", 10, 2, true); }
    @Override public String create(RoomSeed seed) { return ""; }
    @Override public Step<String> join(String s, PlayerId who, String name) { return Step.of("joined:" + name); }
    @Override public Step<String> leave(String s, PlayerId who, LeaveReason why) { return Step.of(s); }
    @Override public Step<String> tick(String s, long tick, List<Input> inputs) { return Step.of(s); }
    @Override public Object view(String s, PlayerId forWhom) { return s; }
    @Override public JsonNode snapshot(String s) { return null; }
    @Override public String restore(RoomSeed seed, JsonNode snapshot) { return ""; }
  }
}
