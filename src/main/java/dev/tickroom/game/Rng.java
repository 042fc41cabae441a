package dev.tickroom.game;

/**
 * A small deterministic random generator (SplitMix64). Its whole state is one long, so a game can keep
 * it inside its state and a snapshot of the state carries the generator with it.
 */
public final class Rng {
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** The current internal state, for snapshots; {@code new Rng(r.state())} continues the same sequence. */
  public long state() {
    return state;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive");
    return (int) Math.floorMod(nextLong(), (long) bound);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }
}
