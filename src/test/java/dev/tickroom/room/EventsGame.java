package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A game for the v1.1 room tests: typed inputs {@code {"op": ..., "arg": ...}} that shout (event to all),
 * whisper (event to the sender), label the room or finish it with a result; options at create (greeting),
 * admit (deny) and join (title); dispose reported to the test.
 */
public final class EventsGame implements Game<EventsGame.State> {
  public record Cmd(String op, String arg) {
    public Cmd {
      if (!List.of("shout", "whisper", "label", "finish").contains(op)) throw new IllegalArgumentException("unknown op " + op);
    }
  }

  public static final class State {
    String greeting;
    long tick;
    final java.util.TreeMap<String, String> titles = new java.util.TreeMap<>();
  }

  private final Consumer<String> disposed;

  public EventsGame(Consumer<String> disposed) {
    this.disposed = disposed;
  }

  @Override
  public GameSpec spec() {
    return new GameSpec("events", 10, 3, true);
  }

  @Override
  public Class<?> inputType() {
    return Cmd.class;
  }

  @Override
  public State create(RoomSeed seed) {
    State s = new State();
    s.greeting = seed.options() == null ? "none" : seed.options().path("greeting").asText("none");
    return s;
  }

  @Override
  public Admission admit(State s, PlayerId who, dev.tickroom.game.Identity identity, JsonNode options) {
    if (options != null && options.path("deny").asBoolean()) return Admission.reject("denied", "you asked for it");
    return Admission.accept();
  }

  @Override
  public Step<State> join(State s, PlayerId who, String name) {
    return join(s, who, name, dev.tickroom.game.Identity.anonymous(), null);
  }

  @Override
  public Step<State> join(State s, PlayerId who, String name, dev.tickroom.game.Identity identity, JsonNode options) {
    s.titles.put(who.value(), options == null ? "-" : options.path("title").asText("-"));
    return Step.of(s).eventTo(who, "welcome", who.value());
  }

  @Override
  public Step<State> leave(State s, PlayerId who, LeaveReason why) {
    s.titles.remove(who.value());
    return Step.of(s);
  }

  @Override
  public Step<State> tick(State s, long tick, List<Input> inputs) {
    s.tick = tick;
    Step<State> step = Step.of(s);
    for (Input in : inputs) {
      Cmd c = (Cmd) in.value();
      switch (c.op()) {
        case "shout" -> step.event("shout", Map.of("from", in.player().value(), "text", c.arg()));
        case "whisper" -> step.eventTo(in.player(), "whisper", c.arg());
        case "label" -> step.label(Map.of("tier", c.arg()));
        case "finish" -> step.finish(Map.of("winner", c.arg()));
        default -> throw new IllegalStateException();
      }
    }
    return step;
  }

  @Override
  public Object view(State s, PlayerId forWhom) {
    return Map.of("tick", s.tick, "greeting", s.greeting, "titles", s.titles);
  }

  @Override
  public JsonNode snapshot(State s) {
    return dev.tickroom.game.GameJson.MAPPER.valueToTree(view(s, null));
  }

  @Override
  public State restore(RoomSeed seed, JsonNode snapshot) {
    State s = new State();
    s.greeting = snapshot.path("greeting").asText();
    return s;
  }

  @Override
  public void dispose(State s) {
    disposed.accept("disposed at tick " + s.tick);
  }
}
