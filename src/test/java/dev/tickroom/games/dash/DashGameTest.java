package dev.tickroom.games.dash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.GameJson;
import dev.tickroom.game.Identity;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dash as plain Java: options, admit, countdown, rounds, events, label, result, snapshot. */
class DashGameTest {
  final DashGame game = new DashGame();
  static final PlayerId A = PlayerId.of("a");
  static final PlayerId B = PlayerId.of("b");

  static JsonNode json(String s) {
    try {
      return GameJson.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  DashState start(String options) {
    return game.create(new RoomSeed("d", 42, Map.of(), options == null ? null : json(options)));
  }

  /** Both racers in: the countdown runs, then round 1 starts. */
  DashState racing(DashState s) {
    s = game.join(s, A, "ann").state();
    s = game.join(s, B, "bob").state();
    long t = s.tick();
    while (!s.phase().equals("racing")) s = game.tick(s, ++t, List.of()).state();
    return s;
  }

  static List<String> names(Step<?> step) {
    List<String> out = new ArrayList<>();
    step.events().forEach(e -> out.add(e.name()));
    return out;
  }

  @Test
  void createOptionsSetRoundsAndRacersNeededWithDefaultsForBadValues() {
    assertEquals(5, start("{\"rounds\":5,\"min_players\":1}").rounds());
    assertEquals(1, start("{\"rounds\":5,\"min_players\":1}").minPlayers());
    assertEquals(DashGame.DEFAULT_ROUNDS, start("{\"rounds\":99}").rounds());
    assertEquals(DashGame.DEFAULT_ROUNDS, start("{\"rounds\":\"3\"}").rounds());
    assertEquals(DashGame.DEFAULT_MIN_PLAYERS, start(null).minPlayers());
  }

  @Test
  void admitChecksTheJoinOptionsAndJoinUsesThem() {
    DashState s = start(null);
    assertEquals("bad_options", game.admit(s, A, Identity.anonymous(), json("{\"color\":\"red\"}")).code());
    assertTrue(game.admit(s, A, Identity.anonymous(), json("{\"color\":\"#00ff00\"}")).accepted());
    assertTrue(game.admit(s, A, Identity.anonymous(), null).accepted());
    s = game.join(s, A, "ann", Identity.anonymous(), json("{\"color\":\"#00ff00\"}")).state();
    assertEquals("#00ff00", s.racers().get("a").color());
  }

  @Test
  void joiningSendsTheRulesToThatRacerOnlyAndLabelsTheRoom() {
    Step<DashState> step = game.join(start(null), A, "ann");
    Step.Event rules = step.events().get(0);
    assertEquals("rules", rules.name());
    assertEquals(A, rules.to());
    assertEquals(Map.of("phase", "waiting", "rounds", 3), step.label());
  }

  @Test
  void enoughRacersStartACountdownThatTicksDownToTheRace() {
    DashState s = game.join(start(null), A, "ann").state();
    Step<DashState> second = game.join(s, B, "bob");
    assertEquals(List.of("rules", "countdown"), names(second));
    assertEquals(Map.of("seconds", 3), second.events().get(1).data());
    assertEquals("countdown", second.label().get("phase"));
    s = second.state();
    List<Object> seconds = new ArrayList<>();
    long t = 0;
    Step<DashState> step;
    do {
      step = game.tick(s, ++t, List.of());
      s = step.state();
      for (Step.Event e : step.events()) if (e.name().equals("countdown")) seconds.add(((Map<?, ?>) e.data()).get("seconds"));
    } while (!s.phase().equals("racing"));
    assertEquals(List.of(2, 1), seconds);
    assertEquals(DashGame.COUNTDOWN_SECONDS * DashGame.TICK_HZ, t);
    assertEquals(List.of("round_started"), names(step));
    assertEquals("racing", step.label().get("phase"));
    assertEquals(1, s.round());
  }

  @Test
  void aRacerLeavingDuringTheCountdownSendsTheRoomBackToWaiting() {
    DashState s = game.join(game.join(start(null), A, "ann").state(), B, "bob").state();
    Step<DashState> step = game.leave(s, B, LeaveReason.LEFT);
    assertEquals("waiting", step.state().phase());
    assertEquals(List.of("waiting"), names(step));
  }

  /** Steers {@code who} towards the target until a round ends; returns the step that ended it. */
  Step<DashState> runTo(DashState s, PlayerId who) {
    long t = s.tick();
    int seq = 0;
    for (int i = 0; i < 2000; i++) {
      DashState.Racer r = s.racers().get(who.value());
      int dx = Integer.signum(s.target().x() - r.x());
      int dy = Integer.signum(s.target().y() - r.y());
      Step<DashState> step = game.tick(s, ++t, List.of(Input.of(who, ++seq, new DashGame.Move(dx, dy))));
      if (!step.events().isEmpty()) return step;
      s = step.state();
    }
    throw new AssertionError("no round end");
  }

  @Test
  void theFirstRacerOnTheTargetWinsTheRoundAndTheLastRoundFinishesWithAResult() {
    DashState s = racing(start("{\"rounds\":2}"));
    Step<DashState> won = runTo(s, A);
    assertEquals(List.of("round_won", "countdown"), names(won));
    assertEquals(Map.of("round", 1, "player", "a", "name", "ann"), won.events().get(0).data());
    assertNull(won.events().get(0).to(), "the round winner goes to everyone");
    assertFalse(won.finished());
    assertEquals(1, won.state().racers().get("a").wins());

    s = won.state();
    long t = s.tick();
    while (!s.phase().equals("racing")) s = game.tick(s, ++t, List.of()).state();
    Step<DashState> last = runTo(s, A);
    assertTrue(last.finished());
    assertEquals(new DashGame.Result("a", Map.of("a", 2, "b", 0)), last.result());
    assertEquals("over", last.state().phase());
    assertEquals("over", last.label().get("phase"));
    assertEquals("game_over", game.admit(last.state(), PlayerId.of("c"), Identity.anonymous(), null).code());
  }

  @Test
  void aRoundWithoutWinnerTimesOut() {
    DashState s = racing(start("{\"rounds\":1}"));
    Step<DashState> step = null;
    long t = s.tick();
    for (int i = 0; i < DashGame.ROUND_SECONDS * DashGame.TICK_HZ; i++) {
      step = game.tick(s, ++t, List.of());
      s = step.state();
    }
    assertEquals(List.of("round_timeout"), names(step));
    assertTrue(step.finished());
    assertEquals(new DashGame.Result(null, Map.of("a", 0, "b", 0)), step.result(), "nobody won a round: no winner");
  }

  @Test
  void theRecordStateSnapshotsAndRestoresWithTheDefaultCode() {
    DashState s = racing(start("{\"rounds\":4}"));
    JsonNode snap = game.snapshot(s);
    assertEquals(s, game.restore(RoomSeed.of("d", 42), snap));
    assertEquals(DashState.class, game.stateType());
  }

  @Test
  void theSameInputsGiveTheSameGame() {
    Step<DashState> a = runTo(racing(start(null)), A);
    Step<DashState> b = runTo(racing(start(null)), A);
    assertEquals(a.state(), b.state());
  }

  @Test
  void theViewIsARecordWithTheCountdownInSeconds() {
    DashState s = game.join(game.join(start(null), A, "ann").state(), B, "bob").state();
    DashGame.View v = (DashGame.View) game.view(game.tick(s, 1, List.of()).state(), null);
    assertEquals("countdown", v.phase());
    assertEquals(3, v.countdown());
    assertEquals(2, v.racers().size());
    game.dispose(s); // nothing to release: the default hook
  }
}
