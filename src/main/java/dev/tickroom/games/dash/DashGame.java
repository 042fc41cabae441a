package dev.tickroom.games.dash;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Admission;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Identity;
import dev.tickroom.game.Input;
import dev.tickroom.game.JsonStateGame;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.Rng;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.games.dash.DashState.Racer;
import dev.tickroom.games.dash.DashState.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Dash: short rounds in a 1000 x 1000 arena. A round starts with a {@value #COUNTDOWN_SECONDS} s countdown,
 * then a target appears and the first racer to touch it wins the round; after the last round the game ends
 * with a result and the room closes. It uses the whole v1.1 game API: options at create (rounds, racers
 * needed), at admit and join (a colour), typed inputs ({@link Move}), events to all and to one, a label that
 * follows the phase, {@link Step#finish(Object)} with a result, and the default record snapshot.
 *
 * <p>Rules (deterministic given the seed, joins, leaves and inputs):
 * <ul>
 *   <li>Create options: {@code rounds} 1..9 (default 3), {@code min_players} 1..8 (default 2); other values
 *       fall back to the defaults. Join options: {@code color} {@code "#rrggbb"} (default from the seed); any
 *       other colour is refused at admit with {@code bad_options}. A finished game admits no one
 *       ({@code game_over}).
 *   <li>{@code waiting} until {@code min_players} racers are in, then {@code countdown}: event {@code countdown}
 *       {seconds} at 3, 2, 1; below {@code min_players} during the countdown it goes back to waiting.
 *   <li>{@code racing}: input {@code {"dx": -1|0|1, "dy": -1|0|1}} sets a racer's direction (only while racing);
 *       racers move {@value #STEP} units per tick per axis, clamped. The first racer in id order within
 *       {@value #TARGET_RADIUS} of the target after moving wins the round: event {@code round_won} {round,
 *       player, name}. After {@value #ROUND_SECONDS} s without a winner: event {@code round_timeout} {round}.
 *   <li>After round {@code rounds}: {@code finish} with result {winner: id or null on a tie, wins: {id: n}}.
 *   <li>Each racer gets event {@code rules} on joining (to that racer only). The label is {@code {"phase": ...,
 *       "rounds": n}}.
 * </ul>
 */
public final class DashGame implements JsonStateGame<DashState> {
  public static final int WORLD = 1000;
  public static final int TICK_HZ = 20;
  public static final int MAX_PLAYERS = 8;
  public static final int STEP = 10;
  public static final int TARGET_RADIUS = 30;
  public static final int COUNTDOWN_SECONDS = 3;
  public static final int ROUND_SECONDS = 15;
  public static final int DEFAULT_ROUNDS = 3;
  public static final int DEFAULT_MIN_PLAYERS = 2;

  private static final GameSpec SPEC = new GameSpec("dash", TICK_HZ, MAX_PLAYERS, true);
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final String[] PALETTE = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45"};

  /** A racer's input: its direction until the next one. */
  public record Move(int dx, int dy) {
    public Move {
      if (dx < -1 || dx > 1 || dy < -1 || dy > 1) throw new IllegalArgumentException("dx and dy must be -1, 0 or 1");
    }
  }

  /** What every member sees. {@code countdown}: whole seconds left before the race, 0 otherwise. */
  public record View(String phase, int round, int rounds, int countdown,
      @com.fasterxml.jackson.annotation.JsonProperty("seconds_left") int secondsLeft, Target target,
      Map<String, RacerView> racers) {}

  public record RacerView(String name, String color, int x, int y, int wins) {}

  public record Result(String winner, Map<String, Integer> wins) {}

  public DashGame() {}

  @Override
  public GameSpec spec() {
    return SPEC;
  }

  @Override
  public Class<?> inputType() {
    return Move.class;
  }

  @Override
  public DashState create(RoomSeed seed) {
    JsonNode o = seed.options();
    int rounds = intOption(o, "rounds", 1, 9, DEFAULT_ROUNDS);
    int min = intOption(o, "min_players", 1, MAX_PLAYERS, DEFAULT_MIN_PLAYERS);
    return new DashState("waiting", 0, rounds, min, 0, 0, null, Map.of(), seed.seed());
  }

  private static int intOption(JsonNode options, String name, int min, int max, int dflt) {
    JsonNode v = options == null ? null : options.get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) return dflt;
    return v.intValue();
  }

  @Override
  public Admission admit(DashState s, PlayerId who, Identity identity, JsonNode options) {
    if (s.phase().equals("over")) return Admission.reject("game_over", "This dash game is over.");
    JsonNode color = options == null ? null : options.get("color");
    if (color != null && !(color.isTextual() && COLOR.matcher(color.textValue()).matches())) {
      return Admission.reject("bad_options", "color must be \"#rrggbb\"");
    }
    return Admission.accept();
  }

  @Override
  public Step<DashState> join(DashState s, PlayerId who, String name) {
    return join(s, who, name, Identity.anonymous(), null);
  }

  @Override
  public Step<DashState> join(DashState s, PlayerId who, String name, Identity identity, JsonNode options) {
    Map<String, Racer> racers = new TreeMap<>(s.racers());
    Racer present = racers.get(who.value());
    Rng rng = new Rng(s.rng());
    if (present == null) {
      JsonNode c = options == null ? null : options.get("color");
      String color = c != null && c.isTextual() ? c.textValue() : PALETTE[rng.nextInt(PALETTE.length)];
      racers.put(who.value(), new Racer(name == null ? who.value() : name, color, rng.nextInt(WORLD + 1), rng.nextInt(WORLD + 1), 0, 0, 0));
    }
    DashState next = s.withRacers(racers).withRng(rng.state());
    Step<DashState> step = Step.of(next).label(label(next));
    step.eventTo(who, "rules", Map.of("rounds", s.rounds(), "min_players", s.minPlayers(),
        "text", "Reach the target first. " + s.rounds() + " rounds."));
    return maybeStartCountdown(next, step);
  }

  private static Step<DashState> maybeStartCountdown(DashState s, Step<DashState> step) {
    if (s.phase().equals("waiting") && s.racers().size() >= s.minPlayers()) {
      DashState counting = s.withPhase("countdown", s.tick() + (long) COUNTDOWN_SECONDS * TICK_HZ);
      return step.withState(counting).label(label(counting)).event("countdown", Map.of("seconds", COUNTDOWN_SECONDS));
    }
    return step;
  }

  @Override
  public Step<DashState> leave(DashState s, PlayerId who, LeaveReason why) {
    Map<String, Racer> racers = new TreeMap<>(s.racers());
    racers.remove(who.value());
    DashState next = s.withRacers(racers);
    if (next.phase().equals("countdown") && racers.size() < next.minPlayers()) {
      next = next.withPhase("waiting", 0);
      return Step.of(next).label(label(next)).event("waiting", Map.of("needed", next.minPlayers()));
    }
    return Step.of(next);
  }

  @Override
  public Step<DashState> tick(DashState s, long tick, List<Input> inputs) {
    s = s.atTick(tick);
    switch (s.phase()) {
      case "countdown": {
        long left = s.phaseEnds() - tick;
        if (left <= 0) return startRound(s);
        if (left % TICK_HZ == 0) return Step.of(s).event("countdown", Map.of("seconds", (int) (left / TICK_HZ)));
        return Step.of(s);
      }
      case "racing":
        return race(s, tick, inputs);
      default:
        return Step.of(s);
    }
  }

  private static Step<DashState> startRound(DashState s) {
    Rng rng = new Rng(s.rng());
    Target t = new Target(50 + rng.nextInt(WORLD - 99), 50 + rng.nextInt(WORLD - 99));
    DashState next = s.racing(s.round() + 1, t, s.tick() + (long) ROUND_SECONDS * TICK_HZ, rng.state());
    return Step.of(next).label(label(next)).event("round_started", Map.of("round", next.round()));
  }

  private Step<DashState> race(DashState s, long tick, List<Input> inputs) {
    Map<String, Racer> racers = new TreeMap<>(s.racers());
    for (Input in : inputs) {
      Racer r = racers.get(in.player().value());
      if (r == null) continue;
      Move m = in.value(Move.class);
      racers.put(in.player().value(), r.heading(m.dx(), m.dy()));
    }
    String winner = null;
    for (Map.Entry<String, Racer> e : racers.entrySet()) {
      Racer r = e.getValue();
      Racer moved = r.moved(clamp(r.x() + r.dx() * STEP), clamp(r.y() + r.dy() * STEP));
      e.setValue(moved);
      if (winner == null && near(moved, s.target())) winner = e.getKey();
    }
    DashState next = s.withRacers(racers);
    if (winner != null) {
      racers.put(winner, racers.get(winner).won());
      next = next.withRacers(racers);
      return endRound(next, Step.of(next).event("round_won",
          Map.of("round", s.round(), "player", winner, "name", racers.get(winner).name())));
    }
    if (tick >= s.phaseEnds()) {
      return endRound(next, Step.of(next).event("round_timeout", Map.of("round", s.round())));
    }
    return Step.of(next);
  }

  /** After a round: the next countdown, or the end of the game with its result. */
  private static Step<DashState> endRound(DashState s, Step<DashState> step) {
    if (s.round() >= s.rounds()) {
      DashState over = new DashState("over", s.round(), s.rounds(), s.minPlayers(), s.tick(), s.tick(), null, s.racers(), s.rng());
      return step.withState(over).label(label(over)).finish(result(over));
    }
    DashState next = new DashState("countdown", s.round(), s.rounds(), s.minPlayers(), s.tick(),
        s.tick() + (long) COUNTDOWN_SECONDS * TICK_HZ, null, s.racers(), s.rng());
    return step.withState(next).label(label(next)).event("countdown", Map.of("seconds", COUNTDOWN_SECONDS));
  }

  static Result result(DashState s) {
    Map<String, Integer> wins = new LinkedHashMap<>();
    int best = -1;
    String winner = null;
    for (Map.Entry<String, Racer> e : s.racers().entrySet()) {
      int w = e.getValue().wins();
      wins.put(e.getKey(), w);
      if (w > best) {
        best = w;
        winner = e.getKey();
      } else if (w == best) {
        winner = null; // a tie
      }
    }
    return new Result(best > 0 ? winner : null, wins);
  }

  static Map<String, Object> label(DashState s) {
    return Map.of("phase", s.phase(), "rounds", s.rounds());
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(WORLD, v));
  }

  private static boolean near(Racer r, Target t) {
    if (t == null) return false;
    long dx = r.x() - t.x();
    long dy = r.y() - t.y();
    return dx * dx + dy * dy <= (long) TARGET_RADIUS * TARGET_RADIUS;
  }

  @Override
  public Object view(DashState s, PlayerId forWhom) {
    Map<String, RacerView> racers = new LinkedHashMap<>();
    s.racers().forEach((id, r) -> racers.put(id, new RacerView(r.name(), r.color(), r.x(), r.y(), r.wins())));
    int countdown = s.phase().equals("countdown") ? (int) ((s.phaseEnds() - s.tick() + TICK_HZ - 1) / TICK_HZ) : 0;
    int secondsLeft = s.phase().equals("racing") ? (int) ((s.phaseEnds() - s.tick() + TICK_HZ - 1) / TICK_HZ) : 0;
    return new View(s.phase(), s.round(), s.rounds(), countdown, secondsLeft, s.target(), racers);
  }
}
