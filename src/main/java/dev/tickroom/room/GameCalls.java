package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameJson;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Identity;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.ViewDiff;
import java.util.List;
import java.util.function.Supplier;

/**
 * The only way a room calls its game, which is foreign code. Every call (and the encoding of what it
 * returns, which runs the game's getters) is contained: any throwable except a {@link VirtualMachineError}
 * (the JVM itself is in trouble) becomes a checked {@link GameFailure}, so the compiler makes every caller
 * handle it, and the room ends only itself. A {@link StackOverflowError} (a game's runaway recursion) is
 * contained too: the stack is unwound by the time it is caught. Holds the game's state between calls.
 */
final class GameCalls {

  /** The game failed in {@code during}; the room must end. */
  static final class GameFailure extends Exception {
    final String during;

    GameFailure(String during, Throwable cause) {
      super("game code failed in " + during + ": " + cause, cause);
      this.during = during;
    }
  }

  private final Game<Object> game;
  private final GameSpec spec;
  private Object state;
  private Class<?> inputType;
  private boolean inputTypeKnown;

  private GameCalls(Game<Object> game, GameSpec spec, Object state) {
    this.game = game;
    this.spec = spec;
    this.state = state;
  }

  @SuppressWarnings("unchecked")
  static GameCalls create(Game<?> g, RoomSeed seed) throws GameFailure {
    Game<Object> game = (Game<Object>) g;
    GameSpec spec = call("spec", game::spec);
    return new GameCalls(game, spec, call("create", () -> game.create(seed)));
  }

  @SuppressWarnings("unchecked")
  static GameCalls restore(Game<?> g, RoomSeed seed, JsonNode snapshot, int version) throws GameFailure {
    Game<Object> game = (Game<Object>) g;
    GameSpec spec = call("spec", game::spec);
    return new GameCalls(game, spec, call("restore", () -> game.restore(seed, snapshot, version)));
  }

  /** Read once when the room starts: the game is not asked again. */
  GameSpec spec() {
    return spec;
  }

  Admission admit(PlayerId who, Identity identity, JsonNode options) throws GameFailure {
    Admission a = call("admit", () -> game.admit(state, who, identity, options));
    if (a == null) throw new GameFailure("admit", new NullPointerException("admit returned null"));
    return a;
  }

  Step<Object> join(PlayerId who, String name, Identity identity, JsonNode options) throws GameFailure {
    return step("join", () -> game.join(state, who, name, identity, options));
  }

  Step<Object> leave(PlayerId who, LeaveReason why) throws GameFailure {
    return step("leave", () -> game.leave(state, who, why));
  }

  Step<Object> tick(long tick, List<Input> inputs) throws GameFailure {
    return step("tick", () -> game.tick(state, tick, inputs));
  }

  /** What {@code forWhom} sees (null: the shared view), encoded as JSON bytes. */
  byte[] view(PlayerId forWhom) throws GameFailure {
    return call("view", () -> GameJson.write(game.view(state, forWhom)));
  }

  /** The type the game's inputs decode to, or null (asked once). */
  Class<?> inputType() throws GameFailure {
    if (!inputTypeKnown) {
      inputType = call("inputType", game::inputType);
      inputTypeKnown = true;
    }
    return inputType;
  }

  /** The room is over: the game may release what its state holds. */
  void dispose() throws GameFailure {
    if (state == null) return;
    Object s = state;
    state = null;
    call("dispose", () -> {
      game.dispose(s);
      return null;
    });
  }

  /** A value a game handed over (an event's data), encoded as JSON bytes. */
  static byte[] encode(String during, Object value) throws GameFailure {
    return call(during, () -> GameJson.write(value));
  }

  /** A game's final result, encoded as JSON bytes. */
  static byte[] result(Step<Object> finished) throws GameFailure {
    return call("result", () -> GameJson.write(finished.result()));
  }

  /**
   * The next view of {@code line} (what {@code forWhom} sees, null: the shared view), rendered, and diffed
   * from the view before when {@code withPatch} (someone who sees the line takes patches).
   */
  ViewDiff.Frame view(ViewDiff line, PlayerId forWhom, boolean withPatch) throws GameFailure {
    return call("view", () -> {
      byte[] full = GameJson.write(game.view(state, forWhom));
      return withPatch ? line.next(full) : line.nextWithoutPatch(full);
    });
  }

  JsonNode snapshot() throws GameFailure {
    return call("snapshot", () -> game.snapshot(state));
  }

  int snapshotVersion() throws GameFailure {
    return call("snapshotVersion", game::snapshotVersion);
  }

  private Step<Object> step(String during, Supplier<Step<Object>> body) throws GameFailure {
    Step<Object> step = call(during, body);
    if (step == null) throw new GameFailure(during, new NullPointerException(during + " returned no step"));
    state = step.state();
    return step;
  }

  private static <T> T call(String during, Supplier<T> body) throws GameFailure {
    try {
      return body.get();
    } catch (VirtualMachineError e) {
      if (!(e instanceof StackOverflowError)) throw e;
      throw new GameFailure(during, e);
    } catch (Throwable t) {
      throw new GameFailure(during, t);
    }
  }
}
