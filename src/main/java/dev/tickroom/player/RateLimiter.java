package dev.tickroom.player;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Not thread-safe;
 * one per connection, guarded by its {@link InputShortcut}. Time comes from the caller, so tests need no clock.
 */
public final class RateLimiter {
  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long last;

  public RateLimiter(double ratePerSecond, int burst, long nowNanos) {
    if (ratePerSecond <= 0 || burst < 1) throw new IllegalArgumentException("rate and burst must be positive");
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryAcquire(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
