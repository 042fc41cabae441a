package dev.tickroom.games.tictactoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.Codec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TicTacToeGameTest {
  private static final RoomSeed SEED = RoomSeed.of("ttt-test", 1L);
  private static final PlayerId XP = PlayerId.of("xavier");
  private static final PlayerId OP = PlayerId.of("olga");
  private static final PlayerId THIRD = PlayerId.of("zed");

  private final TicTacToeGame game = new TicTacToeGame();
  private long tick;

  // ------------------------------------------------------------------ helpers

  private static JsonNode json(String text) {
    try {
      return Codec.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Input cell(PlayerId who, int cell) {
    return new Input(who, cell, Codec.MAPPER.createObjectNode().put("cell", cell));
  }

  private Step<TicTacToeState> tick(TicTacToeState s, Input... inputs) {
    return game.tick(s, ++tick, List.of(inputs));
  }

  private JsonNode view(TicTacToeState s) {
    return Codec.MAPPER.valueToTree(game.view(s, null));
  }

  /** Both players seated: X = xavier, O = olga. */
  private TicTacToeState started() {
    TicTacToeState s = game.create(SEED);
    game.join(s, XP, "Xavier");
    game.join(s, OP, "Olga");
    return s;
  }

  /** Plays the cells alternately X, O, X, ... one move per tick; asserts no errors; returns the last step. */
  private Step<TicTacToeState> play(TicTacToeState s, int... cells) {
    Step<TicTacToeState> step = null;
    for (int i = 0; i < cells.length; i++) {
      step = tick(s, cell(i % 2 == 0 ? XP : OP, cells[i]));
      assertTrue(step.notices().isEmpty(), "move " + i + ": " + step.notices());
      if (i < cells.length - 1) assertFalse(step.finished(), "finished early at move " + i);
    }
    return step;
  }

  private static String board(JsonNode view) {
    StringBuilder b = new StringBuilder();
    for (JsonNode c : view.get("board")) b.append(c.textValue().isEmpty() ? "." : c.textValue());
    return b.toString();
  }

  /** Asserts the step carries exactly one error, for {@code to}, with {@code code}. */
  private static void assertError(Step<TicTacToeState> step, PlayerId to, String code) {
    assertEquals(1, step.notices().size(), step.notices().toString());
    Step.Notice n = step.notices().get(0);
    assertEquals(to, n.to());
    assertEquals(code, n.code());
    assertFalse(n.message().isBlank());
  }

  // ------------------------------------------------------------------ setup and view

  @Test
  void specMatchesProtocol() {
    assertEquals("tictactoe", game.spec().name());
    assertEquals(10, game.spec().tickHz());
    assertEquals(2, game.spec().maxPlayers());
    assertTrue(game.spec().sharedView());
  }

  @Test
  void emptyRoomViewHasTheProtocolShape() {
    assertEquals("{\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"],\"marks\":{},\"turn\":null,\"winner\":null}",
        new String(Codec.writeJson(game.view(game.create(SEED), null)), StandardCharsets.UTF_8));
  }

  @Test
  void firstJoinerPlaysXAndMovesFirstSecondPlaysO() {
    TicTacToeState s = game.create(SEED);
    game.join(s, XP, "Xavier");
    JsonNode waiting = view(s);
    assertEquals(json("{\"xavier\":\"X\"}"), waiting.get("marks"));
    assertTrue(waiting.get("turn").isNull(), "no turn while waiting");
    game.join(s, OP, "Olga");
    assertEquals(json("{\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"],"
        + "\"marks\":{\"xavier\":\"X\",\"olga\":\"O\"},\"turn\":\"xavier\",\"winner\":null}"), view(s));
  }

  @Test
  void joinOrderNotIdOrderDecidesTheMarks() {
    TicTacToeState s = game.create(SEED);
    game.join(s, THIRD, "Zed"); // sorts after olga, but joins first
    game.join(s, OP, "Olga");
    assertEquals(json("{\"zed\":\"X\",\"olga\":\"O\"}"), view(s).get("marks"));
    assertEquals("zed", view(s).get("turn").textValue());
  }

  @Test
  void turnsAlternateAndTheViewFollowsTheBoard() {
    TicTacToeState s = started();
    tick(s, cell(XP, 4));
    assertEquals("....X....", board(view(s)));
    assertEquals("olga", view(s).get("turn").textValue());
    tick(s, cell(OP, 0));
    assertEquals("O...X....", board(view(s)));
    assertEquals("xavier", view(s).get("turn").textValue());
    assertTrue(view(s).get("winner").isNull());
  }

  // ------------------------------------------------------------------ results

  @Test
  void fullGameToAnXWin() {
    TicTacToeState s = started();
    Step<TicTacToeState> last = play(s, 0, 3, 1, 4, 2);
    assertTrue(last.finished());
    assertTrue(last.notices().isEmpty());
    JsonNode v = view(s);
    assertEquals("XXXOO....", board(v));
    assertEquals("xavier", v.get("winner").textValue());
    assertTrue(v.get("turn").isNull(), "no turn after the game is over");
    assertEquals(json("{\"xavier\":\"X\",\"olga\":\"O\"}"), v.get("marks"));
  }

  @Test
  void fullGameToAnOWin() {
    TicTacToeState s = started();
    Step<TicTacToeState> last = play(s, 0, 2, 1, 4, 8, 6);
    assertTrue(last.finished());
    JsonNode v = view(s);
    assertEquals("XXO.O.O.X", board(v));
    assertEquals("olga", v.get("winner").textValue());
    assertTrue(v.get("turn").isNull());
  }

  @Test
  void fullGameToADraw() {
    TicTacToeState s = started();
    // X O X / X O O / O X X
    Step<TicTacToeState> last = play(s, 0, 1, 2, 4, 3, 5, 7, 6, 8);
    assertTrue(last.finished());
    JsonNode v = view(s);
    assertEquals("XOXXOOOXX", board(v));
    assertEquals("draw", v.get("winner").textValue());
    assertTrue(v.get("turn").isNull());
  }

  @Test
  void aFullBoardIsADrawOnlyWithoutALine() {
    TicTacToeState drawn = started();
    play(drawn, 0, 1, 2, 3, 6, 4, 7, 8); // X O X / O O . / X X O
    assertTrue(view(drawn).get("winner").isNull());
    assertTrue(tick(drawn, cell(XP, 5)).finished());
    assertEquals("draw", view(drawn).get("winner").textValue());

    TicTacToeState won = started();
    play(won, 0, 1, 2, 4, 5, 3, 7, 6); // X O X / O O X / O X .
    assertTrue(view(won).get("winner").isNull());
    assertTrue(tick(won, cell(XP, 8)).finished()); // completes 2-5-8 and fills the board
    assertEquals("xavier", view(won).get("winner").textValue());
    assertEquals("XOXOOXOXX", board(view(won)));
  }

  @ParameterizedTest(name = "X wins on line {0}-{1}-{2}")
  @CsvSource({"0,1,2", "3,4,5", "6,7,8", "0,3,6", "1,4,7", "2,5,8", "0,4,8", "2,4,6"})
  void everyLineWins(int a, int b, int c) {
    List<Integer> line = List.of(a, b, c);
    int[] others = java.util.stream.IntStream.range(0, 9).filter(i -> !line.contains(i)).limit(2).toArray();
    TicTacToeState s = started();
    Step<TicTacToeState> last = play(s, a, others[0], b, others[1], c);
    assertTrue(last.finished());
    assertEquals("xavier", view(s).get("winner").textValue());
  }

  @Test
  void twoInARowIsNotAWin() {
    TicTacToeState s = started();
    Step<TicTacToeState> step = play(s, 0, 4, 1);
    assertFalse(step.finished());
    assertTrue(view(s).get("winner").isNull());
    assertEquals("olga", view(s).get("turn").textValue());
  }

  // ------------------------------------------------------------------ errors

  @Test
  void moveBeforeAnOpponentJoinedIsRejected() {
    TicTacToeState s = game.create(SEED);
    game.join(s, XP, "Xavier");
    assertError(tick(s, cell(XP, 4)), XP, "waiting_for_opponent");
    assertEquals(".........", board(view(s)));
  }

  @Test
  void moveOutOfTurnIsRejected() {
    TicTacToeState s = started();
    assertError(tick(s, cell(OP, 4)), OP, "not_your_turn");
    assertEquals(".........", board(view(s)));
    tick(s, cell(XP, 4));
    assertError(tick(s, cell(XP, 0)), XP, "not_your_turn");
    assertEquals("....X....", board(view(s)));
    assertEquals("olga", view(s).get("turn").textValue());
  }

  @Test
  void moveByAPlayerWithoutASeatIsRejected() {
    TicTacToeState s = started();
    game.join(s, THIRD, "Zed"); // only reachable if admit was bypassed: it just watches
    assertError(tick(s, cell(THIRD, 4)), THIRD, "not_your_turn");
    assertEquals(".........", board(view(s)));
    assertEquals(2, view(s).get("marks").size());
  }

  @Test
  void moveOnATakenCellIsRejected() {
    TicTacToeState s = started();
    tick(s, cell(XP, 4));
    assertError(tick(s, cell(OP, 4)), OP, "cell_taken");
    assertEquals("....X....", board(view(s)));
    assertEquals("olga", view(s).get("turn").textValue(), "still olga's turn");
    assertTrue(tick(s, cell(OP, 0)).notices().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"cell\":-1}", "{\"cell\":9}", "{\"cell\":\"4\"}", "{\"cell\":4.5}",
      "{\"cell\":4.0}", "{\"cell\":null}", "{\"cell\":[4]}", "{\"cell\":99999999999999999999}", "{\"pos\":4}"})
  void invalidCellIsABadMove(String data) {
    TicTacToeState s = started();
    assertError(tick(s, new Input(XP, 1, json(data))), XP, "bad_move");
    assertEquals(".........", board(view(s)));
    assertEquals("xavier", view(s).get("turn").textValue());
  }

  @Test
  void moveAfterAWinOrADrawIsRejected() {
    TicTacToeState won = started();
    play(won, 0, 3, 1, 4, 2);
    Step<TicTacToeState> step = tick(won, cell(OP, 5));
    assertError(step, OP, "game_over");
    assertFalse(step.finished(), "finished is reported once, on the step that ended the game");
    assertEquals("XXXOO....", board(view(won)));

    TicTacToeState drawn = started();
    play(drawn, 0, 1, 2, 4, 3, 5, 7, 6, 8);
    assertError(tick(drawn, cell(XP, 0)), XP, "game_over");
  }

  @Test
  void inputsInOneTickApplyInArrivalOrder() {
    TicTacToeState s = started();
    Step<TicTacToeState> step = tick(s, cell(XP, 0), cell(OP, 4), cell(XP, 8));
    assertTrue(step.notices().isEmpty());
    assertEquals("X...O...X", board(view(s)));

    TicTacToeState t = started();
    step = tick(t, cell(OP, 4), cell(XP, 0));
    assertError(step, OP, "not_your_turn");
    assertEquals("X........", board(view(t)));
  }

  @Test
  void winningMoveEndsTheGameForLaterInputsInTheSameTick() {
    TicTacToeState s = started();
    play(s, 0, 3, 1, 4);
    Step<TicTacToeState> step = tick(s, cell(XP, 2), cell(OP, 5));
    assertTrue(step.finished());
    assertError(step, OP, "game_over");
    assertEquals("xavier", view(s).get("winner").textValue());
  }

  // ------------------------------------------------------------------ admission, leaving, resuming

  @Test
  void admitRejectsAThirdPlayerOnlyOnceBothSeatsAreTaken() {
    TicTacToeState s = game.create(SEED);
    assertTrue(game.admit(s, XP).accepted());
    game.join(s, XP, "Xavier");
    assertTrue(game.admit(s, OP).accepted());
    game.join(s, OP, "Olga");
    Admission third = game.admit(s, THIRD);
    assertFalse(third.accepted());
    assertEquals("room_full", third.code());
    assertFalse(third.message().isBlank());
    assertTrue(game.admit(s, XP).accepted(), "a seat holder may come back");
    assertTrue(game.admit(s, OP).accepted());
  }

  @ParameterizedTest
  @EnumSource(LeaveReason.class)
  void leavingWhileWaitingFreesTheSeat(LeaveReason why) {
    TicTacToeState s = game.create(SEED);
    game.join(s, XP, "Xavier");
    Step<TicTacToeState> step = game.leave(s, XP, why);
    assertFalse(step.finished());
    assertEquals(0, view(s).get("marks").size());
    game.join(s, OP, "Olga");
    assertEquals(json("{\"olga\":\"X\"}"), view(s).get("marks"));
    game.join(s, XP, "Xavier");
    assertEquals(json("{\"olga\":\"X\",\"xavier\":\"O\"}"), view(s).get("marks"));
  }

  @ParameterizedTest
  @EnumSource(value = LeaveReason.class, names = {"LEFT", "KICKED"})
  void leavingMidGameForfeits(LeaveReason why) {
    TicTacToeState s = started();
    play(s, 4, 0);
    Step<TicTacToeState> step = game.leave(s, OP, why);
    assertTrue(step.finished());
    JsonNode v = view(s);
    assertEquals("xavier", v.get("winner").textValue());
    assertTrue(v.get("turn").isNull());
    assertEquals("O...X....", board(v));
    assertError(tick(s, cell(XP, 8)), XP, "game_over");
    assertFalse(game.admit(s, THIRD).accepted(), "the finished game keeps its seats");
  }

  @Test
  void leavingAfterTheGameIsOverChangesNothing() {
    TicTacToeState s = started();
    play(s, 0, 3, 1, 4, 2);
    JsonNode before = view(s);
    Step<TicTacToeState> step = game.leave(s, OP, LeaveReason.LEFT);
    assertFalse(step.finished());
    assertEquals(before, view(s));
  }

  @Test
  void disconnectedPlayerRejoinsWithItsMark() {
    TicTacToeState s = started();
    play(s, 4);
    Step<TicTacToeState> step = game.leave(s, OP, LeaveReason.DISCONNECTED);
    assertFalse(step.finished());
    assertTrue(view(s).get("winner").isNull());
    assertEquals(json("{\"xavier\":\"X\",\"olga\":\"O\"}"), view(s).get("marks"), "the seat is kept");
    assertFalse(game.admit(s, THIRD).accepted());
    assertTrue(game.admit(s, OP).accepted());
    game.join(s, OP, "Olga again");
    assertEquals(json("{\"xavier\":\"X\",\"olga\":\"O\"}"), view(s).get("marks"));
    assertEquals("olga", view(s).get("turn").textValue());
    assertTrue(tick(s, cell(OP, 0)).notices().isEmpty());
    assertEquals("O...X....", board(view(s)));
  }

  @Test
  void absentPlayerToMoveForfeitsAfterSixtySeconds() {
    TicTacToeState s = started();
    play(s, 4);
    long gone = tick;
    game.leave(s, OP, LeaveReason.DISCONNECTED);
    while (tick < gone + TicTacToeGame.FORFEIT_TICKS - 1) {
      assertFalse(tick(s).finished(), "tick " + tick);
    }
    assertTrue(view(s).get("winner").isNull());
    Step<TicTacToeState> step = tick(s);
    assertEquals(gone + TicTacToeGame.FORFEIT_TICKS, tick);
    assertTrue(step.finished());
    assertEquals("xavier", view(s).get("winner").textValue());
  }

  @Test
  void absentPlayerDoesNotForfeitWhileItIsTheOpponentsTurn() {
    TicTacToeState s = started();
    game.leave(s, OP, LeaveReason.DISCONNECTED); // X to move
    for (int i = 0; i < TicTacToeGame.FORFEIT_TICKS * 2; i++) assertFalse(tick(s).finished());
    assertTrue(view(s).get("winner").isNull());
    assertEquals("xavier", view(s).get("turn").textValue());
  }

  @Test
  void resumingInTimeCancelsTheForfeit() {
    TicTacToeState s = started();
    play(s, 4);
    game.leave(s, OP, LeaveReason.DISCONNECTED);
    for (int i = 0; i < 100; i++) tick(s);
    game.join(s, OP, "Olga");
    for (int i = 0; i < TicTacToeGame.FORFEIT_TICKS * 2; i++) assertFalse(tick(s).finished());
    assertTrue(view(s).get("winner").isNull());
  }

  @Test
  void leaveOfAPlayerWithoutASeatChangesNothing() {
    TicTacToeState s = started();
    play(s, 4);
    JsonNode before = game.snapshot(s);
    for (LeaveReason why : LeaveReason.values()) assertFalse(game.leave(s, THIRD, why).finished());
    assertEquals(before, game.snapshot(s));
  }

  // ------------------------------------------------------------------ snapshot and restore

  @Test
  void snapshotRestoreRoundTripContinuesIdentically() throws Exception {
    TicTacToeState original = started();
    play(original, 4, 0, 8);
    game.leave(original, OP, LeaveReason.DISCONNECTED);
    JsonNode snap = game.snapshot(original);
    TicTacToeState fromText = game.restore(SEED, json(snap.toString()));
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    TicTacToeState fromCbor = game.restore(SEED, cbor.readTree(cbor.writeValueAsBytes(snap)));
    for (TicTacToeState copy : List.of(fromText, fromCbor)) {
      assertEquals(snap, game.snapshot(copy));
      assertEquals(view(original), view(copy));
    }
    long t = tick;
    for (TicTacToeState st : List.of(original, fromText, fromCbor)) {
      game.join(st, OP, "Olga");
      game.tick(st, t + 1, List.of(cell(OP, 2)));
      game.tick(st, t + 2, List.of(cell(XP, 6)));
      Step<TicTacToeState> last = game.tick(st, t + 3, List.of(cell(OP, 3), cell(XP, 7)));
      assertTrue(last.finished());
    }
    assertEquals("xavier", view(original).get("winner").textValue());
    assertEquals(view(original), view(fromText));
    assertEquals(view(original), view(fromCbor));
    assertEquals(game.snapshot(original), game.snapshot(fromText));
  }

  @Test
  void restoredAbsenceKeepsItsForfeitClock() {
    TicTacToeState s = started();
    play(s, 4);
    game.leave(s, OP, LeaveReason.DISCONNECTED);
    long gone = tick;
    TicTacToeState moved = game.restore(SEED, json(game.snapshot(s).toString()));
    assertTrue(game.tick(moved, gone + TicTacToeGame.FORFEIT_TICKS, List.of()).finished());
    assertEquals("xavier", view(moved).get("winner").textValue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "{}",
      "{\"version\":1,\"tick\":0,\"board\":[\"\",\"\"],\"x\":null,\"o\":null,\"turn\":\"X\",\"winner\":null}",
      "{\"version\":1,\"tick\":0,\"board\":[\"\",\"\",\"\",\"\",\"Z\",\"\",\"\",\"\",\"\"],\"x\":null,\"o\":null,"
          + "\"turn\":\"X\",\"winner\":null}",
      "{\"version\":1,\"tick\":0,\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"],\"x\":null,"
          + "\"o\":{\"player\":\"olga\",\"present\":true,\"absentSince\":0},\"turn\":\"X\",\"winner\":null}",
      "{\"version\":1,\"tick\":0,\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"],\"x\":null,\"o\":null,"
          + "\"turn\":\"\",\"winner\":null}",
      "{\"version\":3,\"tick\":0,\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"],\"x\":null,\"o\":null,"
          + "\"turn\":\"X\",\"winner\":null}"})
  void restoreRejectsMalformedSnapshots(String text) {
    assertThrows(IllegalArgumentException.class, () -> game.restore(SEED, json(text)));
  }
}
