package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.Codec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny game for room tests: each input {"n": k} adds k to the player's total and is logged in order;
 * a negative k is rejected with "negative"; {"boom": true} throws, {"assert": true} fails an assertion (an
 * Error, not an Exception), to test that a broken game ends its room; {"kick": "id"} kicks that player.
 */
public class CounterGame implements Game<CounterGame.State> {
  public static final class State {
    public final Map<String, Integer> totals = new LinkedHashMap<>();
    public final List<String> log = new ArrayList<>();
    public long tick;
  }

  private final String name;
  private final int maxPlayers;
  private final boolean sharedView;

  public CounterGame() {
    this("counter", 3);
  }

  public CounterGame(String name, int maxPlayers) {
    this(name, maxPlayers, true);
  }

  /** {@code sharedView} false: the room renders the (same) view once per member, on each member's own line. */
  public CounterGame(String name, int maxPlayers, boolean sharedView) {
    this.name = name;
    this.maxPlayers = maxPlayers;
    this.sharedView = sharedView;
  }

  @Override
  public GameSpec spec() {
    return new GameSpec(name, 10, maxPlayers, sharedView);
  }

  @Override
  public State create(RoomSeed seed) {
    return new State();
  }

  @Override
  public Step<State> join(State s, PlayerId who, String name) {
    s.totals.putIfAbsent(who.value(), 0);
    return Step.of(s);
  }

  @Override
  public Step<State> leave(State s, PlayerId who, LeaveReason why) {
    s.totals.remove(who.value());
    s.log.add("leave:" + who + ":" + why);
    return Step.of(s);
  }

  @Override
  public Step<State> tick(State s, long tick, List<Input> inputs) {
    s.tick = tick;
    Step<State> step = Step.of(s);
    for (Input in : inputs) {
      if (in.data().has("boom")) throw new IllegalStateException("boom at tick " + tick);
      if (in.data().has("assert")) throw new AssertionError("assertion failed at tick " + tick);
      if (in.data().has("kick")) {
        step.kick(PlayerId.of(in.data().get("kick").asText()));
        continue;
      }
      int n = in.data().path("n").asInt();
      if (n < 0) {
        step.error(in.player(), "negative", "n must not be negative");
        continue;
      }
      s.totals.merge(in.player().value(), n, Integer::sum);
      s.log.add(in.player() + ":" + in.seq());
    }
    return step;
  }

  @Override
  public Object view(State s, PlayerId forWhom) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("tick", s.tick);
    v.put("totals", s.totals);
    v.put("log", s.log);
    return v;
  }

  @Override
  public JsonNode snapshot(State s) {
    return Codec.MAPPER.valueToTree(view(s, null));
  }

  @Override
  public State restore(RoomSeed seed, JsonNode snap) {
    State s = new State();
    s.tick = snap.get("tick").asLong();
    ObjectNode totals = (ObjectNode) snap.get("totals");
    totals.fields().forEachRemaining(e -> s.totals.put(e.getKey(), e.getValue().asInt()));
    snap.get("log").forEach(n -> s.log.add(n.asText()));
    return s;
  }
}
