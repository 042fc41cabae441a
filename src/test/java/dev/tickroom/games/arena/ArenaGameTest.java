package dev.tickroom.games.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.Rng;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.Codec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArenaGameTest {
  private static final RoomSeed SEED = RoomSeed.of("arena-test", 42L);
  private static final PlayerId A = PlayerId.of("a");
  private static final PlayerId B = PlayerId.of("b");
  private static final PlayerId C = PlayerId.of("c");

  private final ArenaGame game = new ArenaGame();
  private long tick;

  // ------------------------------------------------------------------ helpers

  private static JsonNode json(String text) {
    try {
      return Codec.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Input move(PlayerId who, long seq, int dx, int dy) {
    return new Input(who, seq, Codec.MAPPER.createObjectNode().put("dx", dx).put("dy", dy));
  }

  private static Input raw(PlayerId who, String data) {
    return new Input(who, 0, json(data));
  }

  private Step<ArenaState> tick(ArenaState s, Input... inputs) {
    return game.tick(s, ++tick, List.of(inputs));
  }

  private void ticks(ArenaState s, int n) {
    for (int i = 0; i < n; i++) tick(s);
  }

  private JsonNode view(ArenaState s) {
    return Codec.MAPPER.valueToTree(game.view(s, null));
  }

  private static JsonNode player(JsonNode view, PlayerId who) {
    return view.get("players").get(who.value());
  }

  private ArenaState withPlayers(String... names) {
    ArenaState s = game.create(SEED);
    for (String n : names) game.join(s, PlayerId.of(n), n.toUpperCase());
    return s;
  }

  /** The state with a player moved to (x, y) and standing still, via a snapshot edit. */
  private ArenaState placed(ArenaState s, PlayerId who, int x, int y) {
    ObjectNode snap = (ObjectNode) game.snapshot(s);
    boolean found = false;
    for (JsonNode p : snap.get("players")) {
      if (p.get("id").asText().equals(who.value())) {
        ((ObjectNode) p).put("x", x).put("y", y).put("dx", 0).put("dy", 0);
        found = true;
      }
    }
    assertTrue(found, "no player " + who);
    return game.restore(SEED, snap);
  }

  /** The state with exactly these coins, given as x, y pairs, via a snapshot edit. */
  private ArenaState withCoins(ArenaState s, int... xy) {
    ObjectNode snap = (ObjectNode) game.snapshot(s);
    ArrayNode coins = snap.putArray("coins");
    for (int i = 0; i < xy.length; i += 2) coins.addObject().put("x", xy[i]).put("y", xy[i + 1]);
    return game.restore(SEED, snap);
  }

  /** A lone player at (x, y) with no coins near anything: the only coin sits in a far corner. */
  private ArenaState lonePlayerAt(int x, int y) {
    ArenaState s = placed(withPlayers("a"), A, x, y);
    int far = x < 500 ? ArenaGame.WORLD : 0;
    return withCoins(s, far, far);
  }

  private static int x(JsonNode view, PlayerId who) {
    return player(view, who).get("x").intValue();
  }

  private static int y(JsonNode view, PlayerId who) {
    return player(view, who).get("y").intValue();
  }

  private static int score(JsonNode view, PlayerId who) {
    return player(view, who).get("score").intValue();
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ------------------------------------------------------------------ spec and view

  @Test
  void specMatchesProtocol() {
    assertEquals("arena", game.spec().name());
    assertEquals(20, game.spec().tickHz());
    assertEquals(10, game.spec().maxPlayers());
    assertTrue(game.spec().sharedView());
    assertEquals(5, ArenaGame.STEP, "100 units/s at 20 Hz");
  }

  @Test
  void newRoomHasCoinsInsideTheWorldAndNoPlayers() {
    JsonNode v = view(game.create(SEED));
    assertEquals(Set.of("players", "coins"), fieldNames(v));
    assertEquals(0, v.get("players").size());
    assertEquals(ArenaGame.COINS, v.get("coins").size());
    for (JsonNode c : v.get("coins")) {
      assertEquals(Set.of("x", "y"), fieldNames(c));
      assertTrue(c.get("x").isNumber() && c.get("y").isNumber());
      assertTrue(c.get("x").intValue() >= 0 && c.get("x").intValue() <= ArenaGame.WORLD);
      assertTrue(c.get("y").intValue() >= 0 && c.get("y").intValue() <= ArenaGame.WORLD);
    }
  }

  @Test
  void viewHasExactlyTheProtocolShape() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 100, 200), 7, 8);
    game.join(s, B, "Bo \"the\" B");
    s = placed(s, B, 0, 1000);
    assertEquals(
        "{\"players\":{\"a\":{\"name\":\"A\",\"x\":100,\"y\":200,\"score\":0},"
            + "\"b\":{\"name\":\"Bo \\\"the\\\" B\",\"x\":0,\"y\":1000,\"score\":0}},"
            + "\"coins\":[{\"x\":7,\"y\":8}]}",
        new String(Codec.writeJson(game.view(s, null)), StandardCharsets.UTF_8));
    assertEquals(view(s), json(game.view(s, A).toString()), "toString and the per-player call give the same view");
  }

  @Test
  void viewIsACopyThatLaterTicksDoNotChange() {
    ArenaState s = lonePlayerAt(500, 500);
    Object before = game.view(s, null);
    JsonNode beforeJson = Codec.MAPPER.valueToTree(before);
    tick(s, move(A, 1, 1, 1));
    assertEquals(beforeJson, Codec.MAPPER.valueToTree(before));
    assertNotEquals(beforeJson, view(s));
  }

  @Test
  void joinSpawnsInsideTheWorldWithNameAndZeroScore() {
    ArenaState s = withPlayers("a", "b", "c");
    JsonNode v = view(s);
    assertEquals(Set.of("a", "b", "c"), fieldNames(v.get("players")));
    for (PlayerId p : List.of(A, B, C)) {
      JsonNode pv = player(v, p);
      assertEquals(Set.of("name", "x", "y", "score"), fieldNames(pv));
      assertEquals(p.value().toUpperCase(), pv.get("name").textValue());
      assertEquals(0, pv.get("score").intValue());
      assertTrue(pv.get("x").intValue() >= 0 && pv.get("x").intValue() <= ArenaGame.WORLD);
      assertTrue(pv.get("y").intValue() >= 0 && pv.get("y").intValue() <= ArenaGame.WORLD);
    }
    assertTrue(game.admit(s, PlayerId.of("d")).accepted());
  }

  @Test
  void joiningTwiceKeepsPositionAndScore() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 500, 500);
    tick(s);
    JsonNode before = player(view(s), A);
    game.join(s, A, "renamed");
    JsonNode after = player(view(s), A);
    assertEquals(1, after.get("score").intValue());
    assertEquals(before.get("x"), after.get("x"));
    assertEquals(before.get("y"), after.get("y"));
    assertEquals("renamed", after.get("name").textValue());
    assertEquals(1, s.players().size());
  }

  // ------------------------------------------------------------------ movement

  @ParameterizedTest
  @CsvSource({"1,0,505,500", "-1,0,495,500", "0,1,500,505", "0,-1,500,495", "1,1,505,505", "-1,1,495,505",
      "1,-1,505,495", "-1,-1,495,495", "0,0,500,500"})
  void movesOneStepPerTickAlongItsDirection(int dx, int dy, int ex, int ey) {
    ArenaState s = lonePlayerAt(500, 500);
    tick(s, move(A, 1, dx, dy));
    JsonNode v = view(s);
    assertEquals(ex, x(v, A));
    assertEquals(ey, y(v, A));
  }

  @ParameterizedTest(name = "from ({0},{1}) towards ({2},{3}) stops at ({4},{5})")
  @CsvSource({
      "3,500,-1,0,0,500", // left wall
      "997,500,1,0,1000,500", // right wall
      "500,2,0,-1,500,0", // top wall (y = 0)
      "500,999,0,1,500,1000", // bottom wall (y = 1000)
      "1,1,-1,-1,0,0", // corner
      "998,4,1,-1,1000,0", // corner
      "0,1000,-1,1,0,1000", // already in a corner
  })
  void positionsAreClampedAtEveryWall(int x0, int y0, int dx, int dy, int ex, int ey) {
    ArenaState s = lonePlayerAt(x0, y0);
    tick(s, move(A, 1, dx, dy));
    assertEquals(ex, x(view(s), A));
    assertEquals(ey, y(view(s), A));
    ticks(s, 10); // keeps pushing against the wall
    assertEquals(ex, x(view(s), A));
    assertEquals(ey, y(view(s), A));
  }

  @Test
  void crossingTheWholeWorldTakesTenSeconds() {
    ArenaState s = lonePlayerAt(0, 500);
    tick(s, move(A, 1, 1, 0));
    ticks(s, 20 * 10 - 2);
    assertEquals(995, x(view(s), A));
    tick(s);
    assertEquals(1000, x(view(s), A));
  }

  @Test
  void directionPersistsUntilTheNextInput() {
    ArenaState s = lonePlayerAt(100, 100);
    tick(s, move(A, 1, 1, 0));
    ticks(s, 9);
    assertEquals(150, x(view(s), A));
    tick(s, move(A, 2, 0, 1));
    ticks(s, 4);
    assertEquals(150, x(view(s), A));
    assertEquals(125, y(view(s), A));
    tick(s, move(A, 3, 0, 0));
    ticks(s, 5);
    assertEquals(150, x(view(s), A));
    assertEquals(125, y(view(s), A));
  }

  @Test
  void severalInputsInOneTickApplyInArrivalOrderAndTheLastDirectionWins() {
    ArenaState s = lonePlayerAt(500, 500);
    tick(s, move(A, 1, 1, 0), move(A, 2, 0, 1), move(A, 3, -1, 0));
    assertEquals(495, x(view(s), A));
    assertEquals(500, y(view(s), A));

    ArenaState t = lonePlayerAt(500, 500);
    tick(t, move(A, 3, -1, 0), move(A, 2, 0, 1), move(A, 1, 1, 0)); // arrival order, not seq order
    assertEquals(505, x(view(t), A));
    assertEquals(500, y(view(t), A));
  }

  @Test
  void playersMoveIndependently() {
    ArenaState s = withCoins(placed(placed(withPlayers("a", "b"), A, 100, 100), B, 900, 900), 500, 0);
    tick(s, move(A, 1, 1, 0), move(B, 1, 0, -1));
    JsonNode v = view(s);
    assertEquals(105, x(v, A));
    assertEquals(100, y(v, A));
    assertEquals(900, x(v, B));
    assertEquals(895, y(v, B));
  }

  // ------------------------------------------------------------------ bad input

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"dx\":1}", "{\"dy\":1}", "{\"dx\":2,\"dy\":0}", "{\"dx\":0,\"dy\":-2}",
      "{\"dx\":\"1\",\"dy\":0}", "{\"dx\":0.5,\"dy\":0}", "{\"dx\":1.0,\"dy\":0}", "{\"dx\":null,\"dy\":0}",
      "{\"dx\":true,\"dy\":0}", "{\"dx\":[1],\"dy\":0}", "{\"dx\":100000000000000000000,\"dy\":0}", "[1,0]", "5"})
  void badInputIsRejectedIgnoredAndDoesNotAffectOthers(String data) {
    ArenaState s = withCoins(placed(placed(withPlayers("a", "b"), A, 100, 100), B, 900, 900), 500, 0);
    tick(s, move(A, 1, 1, 0)); // a walks right
    Step<ArenaState> step = tick(s, raw(A, data), move(B, 1, -1, 0));
    assertEquals(1, step.notices().size());
    Step.Notice n = step.notices().get(0);
    assertEquals(A, n.to());
    assertEquals("bad_input", n.code());
    assertTrue(n.message().length() > 10 && n.message().endsWith("."), n.message());
    JsonNode v = view(s);
    assertEquals(110, x(v, A), "a's earlier direction is kept");
    assertEquals(100, y(v, A));
    assertEquals(895, x(v, B), "b's input in the same tick is applied");
    assertTrue(step.kicks().isEmpty());
    assertFalse(step.finished());
  }

  @Test
  void badInputMessageNamesTheBadField() {
    ArenaState s = withPlayers("a");
    assertTrue(tick(s, raw(A, "{\"dx\":0,\"dy\":7}")).notices().get(0).message().contains("'dy'"));
    assertTrue(tick(s, raw(A, "{\"dx\":7,\"dy\":0}")).notices().get(0).message().contains("'dx'"));
  }

  @Test
  void validInputsProduceNoNotices() {
    ArenaState s = withPlayers("a", "b");
    Step<ArenaState> step = tick(s, move(A, 1, -1, 1), move(B, 1, 0, 0), raw(A, "{\"dx\":1,\"dy\":0,\"extra\":true}"));
    assertTrue(step.notices().isEmpty());
  }

  @Test
  void inputFromAPlayerNotInTheWorldIsIgnored() {
    ArenaState s = withPlayers("a");
    String before = game.snapshot(s).get("players").toString();
    Step<ArenaState> step = tick(s, move(C, 1, 1, 1), raw(C, "{}"));
    assertTrue(step.notices().isEmpty());
    assertEquals(Set.of("a"), fieldNames(view(s).get("players")));
    assertEquals(before, game.snapshot(s).get("players").toString());
  }

  // ------------------------------------------------------------------ determinism

  /** Joins, leaves and random inputs from a script seeded by {@code script}; returns the views of every tick. */
  private List<JsonNode> play(long roomSeed, long script, int ticks) {
    ArenaGame g = new ArenaGame();
    ArenaState s = g.create(RoomSeed.of("det", roomSeed));
    Random r = new Random(script);
    List<JsonNode> views = new ArrayList<>();
    for (int t = 1; t <= ticks; t++) {
      if (t % 37 == 1) g.join(s, PlayerId.of("p" + r.nextInt(12)), "n" + t);
      if (t % 53 == 0) g.leave(s, PlayerId.of("p" + r.nextInt(12)), LeaveReason.values()[r.nextInt(3)]);
      List<Input> inputs = new ArrayList<>();
      for (int k = r.nextInt(6); k > 0; k--) {
        inputs.add(move(PlayerId.of("p" + r.nextInt(12)), t, r.nextInt(3) - 1, r.nextInt(3) - 1));
      }
      g.tick(s, t, inputs);
      views.add(Codec.MAPPER.valueToTree(g.view(s, null)));
    }
    return views;
  }

  @Test
  void sameSeedAndInputsGiveIdenticalViews() {
    List<JsonNode> first = play(7, 99, 2000);
    List<JsonNode> second = play(7, 99, 2000);
    assertEquals(first, second);
    int total = 0;
    for (JsonNode p : first.get(first.size() - 1).get("players")) total += p.get("score").intValue();
    assertTrue(total > 0, "the script should have picked up coins: " + first.get(first.size() - 1));
  }

  @Test
  void differentSeedsGiveDifferentCoinsAndSpawns() {
    ArenaState one = game.create(RoomSeed.of("r", 1));
    ArenaState two = game.create(RoomSeed.of("r", 2));
    assertNotEquals(view(one).get("coins"), view(two).get("coins"));
    game.join(one, A, "A");
    game.join(two, A, "A");
    assertNotEquals(player(view(one), A), player(view(two), A));
    assertNotEquals(play(1, 5, 300), play(2, 5, 300));
  }

  @Test
  void newRoomsWithTheSameSeedAreIdentical() {
    assertEquals(game.snapshot(game.create(SEED)), game.snapshot(game.create(SEED)));
  }

  // ------------------------------------------------------------------ coins

  @Test
  void touchingACoinScoresAndARefillSpawnsFromTheRoomRng() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 515, 500, 900, 900);
    long rngBefore = s.rngState();
    tick(s);
    JsonNode v = view(s);
    assertEquals(1, score(v, A));
    List<ArenaState.Coin> coins = s.coins();
    assertEquals(ArenaGame.COINS, coins.size());
    assertEquals(new ArenaState.Coin(900, 900), coins.get(0), "the untouched coin stays first");
    Rng expected = new Rng(rngBefore);
    for (int i = 1; i < ArenaGame.COINS; i++) {
      assertEquals(new ArenaState.Coin(expected.nextInt(1001), expected.nextInt(1001)), coins.get(i));
    }
    assertEquals(expected.state(), s.rngState());
  }

  @ParameterizedTest(name = "coin at ({0},{1}) from (500,500): picked = {2}")
  @CsvSource({"500,500,true", "520,500,true", "500,480,true", "512,516,true", "488,484,true", "521,500,false",
      "515,515,false", "500,521,false"})
  void pickupReachIsTwentyUnitsInclusive(int cx, int cy, boolean picked) {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), cx, cy);
    tick(s);
    assertEquals(picked ? 1 : 0, score(view(s), A));
    assertEquals(!picked, s.coins().contains(new ArenaState.Coin(cx, cy)));
  }

  @Test
  void pickupHappensAfterMoving() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 525, 500);
    tick(s, move(A, 1, 1, 0));
    assertEquals(505, x(view(s), A));
    assertEquals(1, score(view(s), A));
  }

  @Test
  void walkingToACoinPicksItUpOnce() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 100, 300), 300, 300, 1000, 0, 1000, 1000, 0, 1000, 0, 0);
    tick(s, move(A, 1, 1, 0));
    int ticks = 1;
    while (score(view(s), A) == 0 && ticks < 100) {
      tick(s);
      ticks++;
    }
    assertEquals(36, ticks, "reach 280 = 100 + 36 * 5");
    assertEquals(280, x(view(s), A));
    tick(s, move(A, 2, 0, 0));
    assertEquals(1, score(view(s), A));
  }

  @Test
  void oneTickCanCollectSeveralCoins() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 490, 500, 510, 500, 500, 515, 0, 0);
    tick(s);
    assertEquals(3, score(view(s), A));
    assertEquals(ArenaGame.COINS, s.coins().size());
  }

  @Test
  void aContestedCoinGoesToTheLowestPlayerIdWhateverTheJoinOrder() {
    ArenaState s = game.create(SEED);
    game.join(s, C, "C");
    game.join(s, B, "B");
    s = withCoins(placed(placed(s, B, 500, 500), C, 500, 500), 505, 500);
    tick(s);
    assertEquals(1, score(view(s), B));
    assertEquals(0, score(view(s), C));
  }

  // ------------------------------------------------------------------ leaving and resuming

  @ParameterizedTest
  @ValueSource(strings = {"LEFT", "KICKED"})
  void leaveRemovesThePlayerForGood(String reason) {
    ArenaState s = withCoins(placed(withPlayers("a", "b"), A, 500, 500), 500, 500);
    tick(s);
    assertEquals(1, score(view(s), A));
    Step<ArenaState> step = game.leave(s, A, LeaveReason.valueOf(reason));
    assertTrue(step.notices().isEmpty());
    assertEquals(Set.of("b"), fieldNames(view(s).get("players")));
    assertTrue(s.parked().isEmpty());
    game.join(s, A, "A again");
    assertEquals(0, score(view(s), A), "a fresh start");
  }

  @Test
  void leaveOfAnUnknownPlayerChangesNothing() {
    ArenaState s = withPlayers("a");
    JsonNode before = game.snapshot(s);
    for (LeaveReason why : LeaveReason.values()) game.leave(s, C, why);
    assertEquals(before, game.snapshot(s));
  }

  @Test
  void disconnectThenRejoinKeepsScoreAndPosition() {
    ArenaState s = withCoins(placed(withPlayers("a", "b"), A, 500, 500), 500, 500, 505, 500);
    tick(s, move(A, 1, 1, 0));
    assertEquals(2, score(view(s), A));
    int x = x(view(s), A);
    game.leave(s, A, LeaveReason.DISCONNECTED);
    assertEquals(Set.of("b"), fieldNames(view(s).get("players")), "a disconnected player leaves the view");
    assertEquals(Set.of(A), s.parked().keySet());
    ticks(s, 100);
    game.join(s, A, "A resumed");
    JsonNode p = player(view(s), A);
    assertEquals(2, p.get("score").intValue());
    assertEquals("A resumed", p.get("name").textValue());
    assertEquals(x, p.get("x").intValue());
    assertTrue(s.parked().isEmpty());
    tick(s);
    assertEquals(x, x(view(s), A), "a resumed player stands still until its next input");
  }

  @Test
  void parkedPlayersExpireAfterSixtySecondsOfTicks() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 500, 500);
    tick(s);
    long parkedAt = tick;
    game.leave(s, A, LeaveReason.DISCONNECTED);
    assertEquals(parkedAt, s.parked().get(A).since());
    ticks(s, (int) ArenaGame.PARK_TTL_TICKS);
    assertTrue(s.parked().containsKey(A), "kept for exactly 60 s of ticks");
    tick(s);
    assertFalse(s.parked().containsKey(A));
    game.join(s, A, "A");
    assertEquals(0, score(view(s), A));
  }

  @Test
  void parkedMapIsCappedDroppingTheOldest() {
    ArenaState s = game.create(SEED);
    int n = ArenaGame.MAX_PARKED + 3;
    for (int i = 0; i < n; i++) game.join(s, PlayerId.of(String.format("p%03d", i)), "x");
    for (int i = 0; i < n; i++) {
      game.leave(s, PlayerId.of(String.format("p%03d", i)), LeaveReason.DISCONNECTED);
      tick(s);
    }
    assertEquals(ArenaGame.MAX_PARKED, s.parked().size());
    Iterator<PlayerId> oldest = s.parked().keySet().iterator();
    assertEquals(PlayerId.of("p003"), oldest.next());
    assertTrue(s.parked().containsKey(PlayerId.of(String.format("p%03d", n - 1))));
  }

  @Test
  void leftAfterDisconnectForgetsTheParkedScore() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 500, 500);
    tick(s);
    game.leave(s, A, LeaveReason.DISCONNECTED);
    game.leave(s, A, LeaveReason.LEFT);
    assertTrue(s.parked().isEmpty());
    game.join(s, A, "A");
    assertEquals(0, score(view(s), A));
  }

  // ------------------------------------------------------------------ snapshot and restore

  /** A busy state: moving players, scores, a parked player, coins, an advanced rng. */
  private ArenaState busyState() {
    ArenaState s = withPlayers("a", "b", "c");
    s = withCoins(placed(s, A, 500, 500), 500, 500);
    tick(s, move(A, 1, 1, 1), move(B, 1, -1, 0), move(C, 1, 0, 1));
    ticks(s, 30);
    game.join(s, PlayerId.of("d"), "Dee");
    game.leave(s, PlayerId.of("d"), LeaveReason.DISCONNECTED);
    return s;
  }

  @Test
  void snapshotCarriesTheWholeState() {
    ArenaState s = busyState();
    JsonNode snap = game.snapshot(s);
    assertEquals(tick, snap.get("tick").longValue());
    assertEquals(Long.toString(s.rngState()), snap.get("rng").textValue());
    assertEquals(3, snap.get("players").size());
    JsonNode a = snap.get("players").get(0);
    assertEquals("a", a.get("id").textValue());
    assertEquals(1, a.get("dx").intValue());
    assertEquals(1, a.get("dy").intValue());
    assertEquals(1, a.get("score").intValue());
    assertEquals("d", snap.get("parked").get(0).get("id").textValue());
    assertEquals("Dee", snap.get("parked").get(0).get("name").textValue());
    assertEquals(ArenaGame.COINS, snap.get("coins").size());
  }

  @Test
  void snapshotRestoreRoundTripContinuesIdentically() throws Exception {
    ArenaState original = busyState();
    JsonNode snap = game.snapshot(original);
    // through JSON text and through CBOR (how snapshots travel between nodes)
    ArenaState fromText = game.restore(SEED, json(snap.toString()));
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    ArenaState fromCbor = game.restore(RoomSeed.of("another-seed-is-ignored", 5), cbor.readTree(cbor.writeValueAsBytes(snap)));
    assertEquals(snap, game.snapshot(fromText));
    assertEquals(snap, game.snapshot(fromCbor));

    Random r = new Random(3);
    long t = tick;
    for (int i = 0; i < 400; i++) {
      t++;
      List<Input> inputs = new ArrayList<>();
      for (String p : List.of("a", "b", "c", "z")) {
        if (r.nextInt(4) == 0) inputs.add(move(PlayerId.of(p), t, r.nextInt(3) - 1, r.nextInt(3) - 1));
      }
      if (i == 200) {
        for (ArenaState s : List.of(original, fromText, fromCbor)) game.join(s, PlayerId.of("d"), "Dee");
      }
      for (ArenaState s : List.of(original, fromText, fromCbor)) game.tick(s, t, inputs);
      JsonNode expected = view(original);
      assertEquals(expected, view(fromText), "tick " + t);
      assertEquals(expected, view(fromCbor), "tick " + t);
    }
    assertEquals(game.snapshot(original), game.snapshot(fromText));
    assertEquals(game.snapshot(original), game.snapshot(fromCbor));
    assertTrue(view(original).get("players").has("d"), "the parked player rejoined in every copy");
  }

  @Test
  void restoredParkedPlayerResumesWithItsScore() {
    ArenaState s = withCoins(placed(withPlayers("a"), A, 500, 500), 500, 500);
    tick(s);
    game.leave(s, A, LeaveReason.DISCONNECTED);
    ArenaState moved = game.restore(SEED, json(game.snapshot(s).toString()));
    game.join(moved, A, "A");
    assertEquals(1, score(view(moved), A));
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "[]", "{}",
      "{\"version\":2,\"tick\":0,\"rng\":\"1\",\"players\":[],\"parked\":[],\"coins\":[]}",
      "{\"version\":1,\"tick\":0,\"rng\":\"x\",\"players\":[],\"parked\":[],\"coins\":[]}",
      "{\"version\":1,\"tick\":0,\"rng\":\"1\",\"parked\":[],\"coins\":[]}",
      "{\"version\":1,\"tick\":0,\"rng\":\"1\",\"players\":[{\"id\":\"a\",\"name\":\"A\",\"x\":1001,\"y\":0,"
          + "\"dx\":0,\"dy\":0,\"score\":0}],\"parked\":[],\"coins\":[]}",
      "{\"version\":1,\"tick\":0,\"rng\":\"1\",\"players\":[{\"id\":\"a\",\"name\":\"A\",\"x\":1,\"y\":0,"
          + "\"dx\":2,\"dy\":0,\"score\":0}],\"parked\":[],\"coins\":[]}",
      "{\"version\":1,\"tick\":0,\"rng\":\"1\",\"players\":[],\"parked\":[],\"coins\":[{\"x\":1}]}"})
  void restoreRejectsMalformedSnapshots(String text) {
    assertThrows(IllegalArgumentException.class, () -> game.restore(SEED, json(text)));
  }
}
