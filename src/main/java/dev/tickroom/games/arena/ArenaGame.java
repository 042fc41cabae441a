package dev.tickroom.games.arena;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import java.util.Iterator;
import java.util.List;

/**
 * The reference real-time game (PROTOCOL.md, "Game arena"): players run around a 1000 x 1000 world and
 * collect coins. Stateless and thread-safe; one instance serves every arena room.
 *
 * <p>Rules, all deterministic given the room seed, the joins/leaves and the inputs:
 * <ul>
 *   <li>Positions and coins are integers in [0, {@value #WORLD}] on both axes.
 *   <li>{@code input.data} = {@code {"dx": -1|0|1, "dy": -1|0|1}} sets the player's direction until its next
 *       input. Anything else is answered with {@code bad_input} and ignored. Inputs from a player that is not
 *       in the world (never joined, or parked) are ignored.
 *   <li>Each tick a player moves {@value #STEP} units (100 units/s at 20 Hz) along each axis of its
 *       direction, clamped to the world. A diagonal moves at that per-axis speed on both axes, so it is about
 *       1.41 times faster than a straight move; in exchange positions stay exact integers and the game is
 *       bit-for-bit reproducible.
 *   <li>There are always {@value #COINS} coins. After moving, players in id order pick up every coin within
 *       distance {@value #PICKUP_RADIUS} (+1 score each); a coin goes to the first such player. Replacement
 *       coins spawn after the pickup pass, appended to the coin list, at positions from the room's
 *       {@link dev.tickroom.game.Rng}, which lives in the state.
 *   <li>A tick runs: inputs in arrival order (the last direction wins), move, pick up, respawn coins, expire
 *       parked players.
 *   <li>New players spawn at a seeded random position with direction (0, 0).
 *   <li>{@link LeaveReason#LEFT} or {@link LeaveReason#KICKED} removes a player for good.
 *       {@link LeaveReason#DISCONNECTED} removes it from the world but parks its name, position and score;
 *       a later join with the same id (a resumed session) puts it back where it was with its score, standing
 *       still. Parked entries expire {@value #PARK_TTL_SECONDS} s worth of ticks after they were parked, and
 *       at most {@value #MAX_PARKED} are kept (the oldest is dropped first).
 * </ul>
 */
public final class ArenaGame implements Game<ArenaState> {
  public static final int WORLD = 1000;
  public static final int TICK_HZ = 20;
  public static final int MAX_PLAYERS = 10;
  /** World units per second along one axis. */
  public static final int SPEED = 100;
  /** World units per tick along one axis. */
  public static final int STEP = SPEED / TICK_HZ;
  public static final int COINS = 5;
  public static final int PICKUP_RADIUS = 20;
  public static final int PARK_TTL_SECONDS = 60;
  public static final long PARK_TTL_TICKS = (long) PARK_TTL_SECONDS * TICK_HZ;
  public static final int MAX_PARKED = 64;

  private static final GameSpec SPEC = new GameSpec("arena", TICK_HZ, MAX_PLAYERS, true);
  private static final int PICKUP_RADIUS_SQ = PICKUP_RADIUS * PICKUP_RADIUS;

  public ArenaGame() {}

  @Override
  public GameSpec spec() {
    return SPEC;
  }

  @Override
  public ArenaState create(RoomSeed seed) {
    ArenaState s = new ArenaState(seed.rng(), 0);
    refillCoins(s);
    return s;
  }

  @Override
  public Step<ArenaState> join(ArenaState s, PlayerId who, String name) {
    String shownName = name == null ? who.value() : name;
    ArenaState.Player present = s.players.get(who);
    if (present != null) { // joined twice (e.g. resumed before the disconnect was processed): keep everything
      present.name = shownName;
      return Step.of(s);
    }
    ArenaState.Parked back = s.parked.remove(who);
    ArenaState.Player p = back != null
        ? new ArenaState.Player(who, shownName, back.x(), back.y(), 0, 0, back.score())
        : new ArenaState.Player(who, shownName, randomCoordinate(s), randomCoordinate(s), 0, 0, 0);
    s.players.put(who, p);
    return Step.of(s);
  }

  @Override
  public Step<ArenaState> leave(ArenaState s, PlayerId who, LeaveReason why) {
    ArenaState.Player p = s.players.remove(who);
    if (why == LeaveReason.DISCONNECTED) {
      if (p != null) {
        s.parked.remove(who); // re-insert so the map stays in parking order
        s.parked.put(who, new ArenaState.Parked(p.name, p.x, p.y, p.score, s.tick));
        if (s.parked.size() > MAX_PARKED) {
          Iterator<PlayerId> oldest = s.parked.keySet().iterator();
          oldest.next();
          oldest.remove();
        }
      }
    } else {
      s.parked.remove(who);
    }
    return Step.of(s);
  }

  @Override
  public Step<ArenaState> tick(ArenaState s, long tick, List<Input> inputs) {
    s.tick = tick;
    Step<ArenaState> step = Step.of(s);
    for (int i = 0, n = inputs.size(); i < n; i++) {
      applyInput(s, inputs.get(i), step);
    }
    for (ArenaState.Player p : s.players.values()) {
      p.x = clamp(p.x + p.dx * STEP);
      p.y = clamp(p.y + p.dy * STEP);
    }
    pickUpCoins(s);
    refillCoins(s);
    s.expireParked(PARK_TTL_TICKS);
    return step;
  }

  private static void applyInput(ArenaState s, Input input, Step<ArenaState> step) {
    ArenaState.Player p = s.players.get(input.player());
    if (p == null) return;
    JsonNode data = input.data();
    if (data == null || !data.isObject()) {
      step.error(input.player(), "bad_input", "input data must be an object {\"dx\": -1|0|1, \"dy\": -1|0|1}.");
      return;
    }
    JsonNode dx = data.get("dx");
    JsonNode dy = data.get("dy");
    if (!isDirection(dx) || !isDirection(dy)) {
      String field = isDirection(dx) ? "dy" : "dx";
      step.error(input.player(), "bad_input", "input data needs '" + field + "' as an integer -1, 0 or 1.");
      return;
    }
    p.dx = dx.intValue();
    p.dy = dy.intValue();
  }

  private static boolean isDirection(JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= -1 && n.intValue() <= 1;
  }

  /** Players in id order take every coin in reach; a taken coin is gone for later players. */
  private static void pickUpCoins(ArenaState s) {
    if (s.coins.isEmpty()) return;
    for (ArenaState.Player p : s.players.values()) {
      for (int i = 0; i < s.coins.size(); ) {
        ArenaState.Coin c = s.coins.get(i);
        int ddx = p.x - c.x();
        int ddy = p.y - c.y();
        if (ddx * ddx + ddy * ddy <= PICKUP_RADIUS_SQ) {
          p.score++;
          s.coins.remove(i);
        } else {
          i++;
        }
      }
    }
  }

  private static void refillCoins(ArenaState s) {
    while (s.coins.size() < COINS) {
      int x = randomCoordinate(s);
      int y = randomCoordinate(s);
      s.coins.add(new ArenaState.Coin(x, y));
    }
  }

  private static int randomCoordinate(ArenaState s) {
    return s.rng.nextInt(WORLD + 1);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, WORLD);
  }

  /** The shared view; {@code forWhom} is ignored. See {@link ArenaView} for its shape. */
  @Override
  public Object view(ArenaState s, PlayerId forWhom) {
    return ArenaView.of(s);
  }

  @Override
  public JsonNode snapshot(ArenaState s) {
    return s.toJson();
  }

  /** Rebuilds the state exactly; the seed is not needed, the snapshot carries the generator's state. */
  @Override
  public ArenaState restore(RoomSeed seed, JsonNode snapshot) {
    return ArenaState.fromJson(snapshot);
  }
}
