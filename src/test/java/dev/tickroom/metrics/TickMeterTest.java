package dev.tickroom.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tick lateness, overruns and catch-ups from given clock readings (no real time). */
class TickMeterTest {
  static final long MS = 1_000_000;

  @Test
  void latenessIsMeasuredAgainstTheFixedRateSchedule() {
    TickMeter m = new TickMeter(50 * MS);
    m.scheduleFrom(0);
    assertEquals(0, m.begin(50 * MS));
    TickMeter.Sample s = m.end(52 * MS);
    assertEquals(2 * MS, s.workNanos());
    assertFalse(s.overrun());
    assertEquals(3 * MS, m.begin(103 * MS)); // tick 2 due at 100 ms
    assertFalse(m.end(104 * MS).catchUp());
  }

  @Test
  void aLongTickIsAnOverrunAndTheTicksAfterItCatchUp() {
    TickMeter m = new TickMeter(50 * MS);
    m.scheduleFrom(0);
    m.begin(50 * MS);
    assertTrue(m.end(170 * MS).overrun());      // 120 ms of work
    assertEquals(70 * MS, m.begin(170 * MS));   // tick 2 was due at 100
    assertTrue(m.end(171 * MS).catchUp());
    assertEquals(21 * MS, m.begin(171 * MS));   // tick 3 due at 150: late, but less than an interval
    assertFalse(m.end(172 * MS).catchUp());
    assertEquals(1, m.overruns());
    assertEquals(1, m.catchUps());
    assertTrue(m.workMillis() > 0);
  }
}
