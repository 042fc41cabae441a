package dev.tickroom.metrics;

/**
 * One room's tick timing, fed by the room on each tick with {@link System#nanoTime()} readings: how late the
 * tick started against its fixed-rate schedule, how long its work took, and whether it overran its interval
 * (work longer than one interval) or was a catch-up tick (started an interval or more late, so the timer fired
 * it back to back with the one before). Keeps a smoothed work time and lateness for the admin view's
 * "slowest rooms first". Plain Java, used by one room at a time.
 */
public final class TickMeter {
  /** What one tick measured. */
  public record Sample(long latenessNanos, long workNanos, boolean overrun, boolean catchUp) {}

  private final long intervalNanos;
  private long origin = Long.MIN_VALUE;
  private long ticks;
  private long started;
  private long lateness;
  private double workEwma;
  private double latenessEwma;
  private long overruns;
  private long catchUps;

  public TickMeter(long intervalNanos) {
    if (intervalNanos <= 0) throw new IllegalArgumentException("interval must be positive");
    this.intervalNanos = intervalNanos;
  }

  /** The timer started now: tick k is due at now + k * interval. */
  public void scheduleFrom(long nowNanos) {
    origin = nowNanos;
    ticks = 0;
  }

  /** A tick starts; returns its lateness. */
  public long begin(long nowNanos) {
    if (origin == Long.MIN_VALUE) scheduleFrom(nowNanos - intervalNanos);
    ticks++;
    long due = origin + ticks * intervalNanos;
    lateness = Math.max(0, nowNanos - due);
    started = nowNanos;
    return lateness;
  }

  /** The tick's work is done. */
  public Sample end(long nowNanos) {
    long work = Math.max(0, nowNanos - started);
    boolean overrun = work > intervalNanos;
    boolean catchUp = lateness >= intervalNanos;
    if (overrun) overruns++;
    if (catchUp) catchUps++;
    workEwma = ticks <= 1 ? work : workEwma * 0.9 + work * 0.1;
    latenessEwma = ticks <= 1 ? lateness : latenessEwma * 0.9 + lateness * 0.1;
    return new Sample(lateness, work, overrun, catchUp);
  }

  public double workMillis() {
    return workEwma / 1e6;
  }

  public double latenessMillis() {
    return latenessEwma / 1e6;
  }

  public long overruns() {
    return overruns;
  }

  public long catchUps() {
    return catchUps;
  }
}
