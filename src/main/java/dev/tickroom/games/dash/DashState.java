package dev.tickroom.games.dash;

import java.util.Map;
import java.util.TreeMap;

/**
 * The whole state of a dash room: an immutable record (so {@link dev.tickroom.game.JsonStateGame} snapshots
 * it with no code), replaced by a new one on every change. Racers are kept in id order.
 *
 * @param phase {@code waiting} (for enough racers), {@code countdown}, {@code racing} or {@code over}
 * @param phaseEnds the tick at which the countdown or the race ends
 * @param rng the state of the room's random generator
 */
public record DashState(String phase, int round, int rounds, int minPlayers, long tick, long phaseEnds,
    Target target, Map<String, Racer> racers, long rng) {

  public record Racer(String name, String color, int x, int y, int dx, int dy, int wins) {
    Racer moved(int nx, int ny) {
      return new Racer(name, color, nx, ny, dx, dy, wins);
    }

    Racer heading(int ndx, int ndy) {
      return new Racer(name, color, x, y, ndx, ndy, wins);
    }

    Racer won() {
      return new Racer(name, color, x, y, dx, dy, wins + 1);
    }
  }

  public record Target(int x, int y) {}

  public DashState {
    racers = java.util.Collections.unmodifiableMap(new TreeMap<>(racers));
  }

  DashState withPhase(String p, long ends) {
    return new DashState(p, round, rounds, minPlayers, tick, ends, target, racers, rng);
  }

  DashState withRacers(Map<String, Racer> r) {
    return new DashState(phase, round, rounds, minPlayers, tick, phaseEnds, target, r, rng);
  }

  DashState atTick(long t) {
    return new DashState(phase, round, rounds, minPlayers, t, phaseEnds, target, racers, rng);
  }

  DashState racing(int newRound, Target t, long ends, long newRng) {
    return new DashState("racing", newRound, rounds, minPlayers, tick, ends, t, racers, newRng);
  }

  DashState withRng(long newRng) {
    return new DashState(phase, round, rounds, minPlayers, tick, phaseEnds, target, racers, newRng);
  }
}
