package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
  static final long MS = 1_000_000;

  @Test
  void aBurstThenTheSustainedRate() {
    RateLimiter r = new RateLimiter(10, 3, 0);
    assertTrue(r.tryAcquire(0));
    assertTrue(r.tryAcquire(0));
    assertTrue(r.tryAcquire(0));
    assertFalse(r.tryAcquire(0));
    assertFalse(r.tryAcquire(99 * MS));
    assertTrue(r.tryAcquire(100 * MS)); // 10/s: one token per 100 ms
    assertFalse(r.tryAcquire(150 * MS));
  }

  @Test
  void savedTokensAreCappedAtTheBurst() {
    RateLimiter r = new RateLimiter(10, 3, 0);
    long later = 10_000 * MS;
    for (int i = 0; i < 3; i++) assertTrue(r.tryAcquire(later));
    assertFalse(r.tryAcquire(later));
  }
}
