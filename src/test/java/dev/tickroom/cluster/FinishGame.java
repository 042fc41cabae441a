package dev.tickroom.cluster;

import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.JsonStateGame;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A game for end-to-end tests: rooms of 10; input {"finish": true} ends the game with {"by": player}. */
public final class FinishGame implements JsonStateGame<FinishGame.State> {
  public record State(List<String> players, long tick) {}

  public record Cmd(boolean finish) {}

  @Override
  public GameSpec spec() {
    return new GameSpec("finisher", 10, 10, true);
  }

  @Override
  public Class<?> inputType() {
    return Cmd.class;
  }

  @Override
  public State create(RoomSeed seed) {
    return new State(List.of(), 0);
  }

  @Override
  public Step<State> join(State s, PlayerId who, String name) {
    TreeSet<String> p = new TreeSet<>(s.players());
    p.add(who.value());
    return Step.of(new State(List.copyOf(p), s.tick()));
  }

  @Override
  public Step<State> leave(State s, PlayerId who, LeaveReason why) {
    TreeSet<String> p = new TreeSet<>(s.players());
    p.remove(who.value());
    return Step.of(new State(List.copyOf(p), s.tick()));
  }

  @Override
  public Step<State> tick(State s, long tick, List<Input> inputs) {
    Step<State> step = Step.of(new State(s.players(), tick));
    for (Input in : inputs) if (((Cmd) in.value()).finish()) step.finish(Map.of("by", in.player().value()));
    return step;
  }

  @Override
  public Object view(State s, PlayerId forWhom) {
    return s;
  }
}
