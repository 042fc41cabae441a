package dev.tickroom.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.game.Input;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** README, "Writing a game": the tutorial game's test, plain JUnit, no actors. */
class TapRaceGameTest {
  final TapRaceGame game = new TapRaceGame();
  final PlayerId ann = PlayerId.of("ann");
  final PlayerId bob = PlayerId.of("bob");

  @Test
  void theFirstToTheGoalWinsAndTheGameEndsWithAResult() {
    TapRaceGame.State s = game.create(RoomSeed.of("r", 1));
    s = game.join(s, ann, "Ann").state();
    s = game.join(s, bob, "Bob").state();
    Step<TapRaceGame.State> step = null;
    for (int t = 1; t <= 4; t++) {
      step = game.tick(s, t, List.of(Input.of(ann, t, new TapRaceGame.Tap(3)), Input.of(bob, t, new TapRaceGame.Tap(2))));
      s = step.state();
      if (t < 4) assertFalse(step.finished());
    }
    assertTrue(step.finished());
    assertEquals(Map.of("winner", "ann"), step.result());
    assertEquals("winner", step.events().get(0).name());
    assertEquals(12, s.taps().get("ann"));
  }

  @Test
  void optionsSetTheGoalAndTheLabelShowsIt() throws Exception {
    var options = dev.tickroom.game.GameJson.MAPPER.readTree("{\"goal\":3}");
    TapRaceGame.State s = game.create(new RoomSeed("r", 1, Map.of(), options));
    Step<TapRaceGame.State> joined = game.join(s, ann, "Ann");
    assertEquals(Map.of("goal", 3), joined.label());
    assertEquals(ann, joined.events().get(0).to());
    assertTrue(game.tick(joined.state(), 1, List.of(Input.of(ann, 1, new TapRaceGame.Tap(3)))).finished());
  }
}
