package dev.tickroom.tutorial;

import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.JsonStateGame;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** README, "Writing a game": the first player to tap `goal` times wins. */
public final class TapRaceGame implements JsonStateGame<TapRaceGame.State> {
  /** The whole state: an immutable record, so snapshot/restore come for free. */
  public record State(int goal, Map<String, Integer> taps) {}

  /** What a client sends as input.data; anything else gets bad_input from the server. */
  public record Tap(int times) {
    public Tap {
      if (times < 1 || times > 3) throw new IllegalArgumentException("times must be 1..3");
    }
  }

  @Override public GameSpec spec() { return new GameSpec("taprace", 10, 4, true); }

  @Override public Class<?> inputType() { return Tap.class; }

  @Override public State create(RoomSeed seed) {
    int goal = seed.options() == null ? 10 : seed.options().path("goal").asInt(10);
    return new State(Math.max(1, Math.min(goal, 100)), Map.of());
  }

  @Override public Step<State> join(State s, PlayerId who, String name) {
    Map<String, Integer> taps = new TreeMap<>(s.taps());
    taps.putIfAbsent(who.value(), 0);
    return Step.of(new State(s.goal(), taps))
        .eventTo(who, "hello", "first to " + s.goal() + " taps wins")
        .label(Map.of("goal", s.goal()));
  }

  @Override public Step<State> leave(State s, PlayerId who, LeaveReason why) {
    Map<String, Integer> taps = new TreeMap<>(s.taps());
    taps.remove(who.value());
    return Step.of(new State(s.goal(), taps));
  }

  @Override public Step<State> tick(State s, long tick, List<Input> inputs) {
    Map<String, Integer> taps = new TreeMap<>(s.taps());
    for (Input in : inputs) {
      int now = taps.merge(in.player().value(), in.value(Tap.class).times(), Integer::sum);
      if (now >= s.goal()) {
        State end = new State(s.goal(), taps);
        return Step.of(end).event("winner", in.player().value()).finish(Map.of("winner", in.player().value()));
      }
    }
    return Step.of(new State(s.goal(), taps));
  }

  @Override public Object view(State s, PlayerId forWhom) { return s; }
}
