package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedHellosTest {
  final AtomicLong nanos = new AtomicLong();

  @Test
  void anAddressIsRefusedOnceItsFailuresAreUsedUpAndAllowedAgainAsTheBucketRefills() {
    FailedHellos f = new FailedHellos(1, 3, 100, nanos::get);
    for (int i = 0; i < 3; i++) {
      assertTrue(f.allowed("10.0.0.1"));
      f.failed("10.0.0.1");
    }
    assertFalse(f.allowed("10.0.0.1"));
    assertTrue(f.allowed("10.0.0.2"), "other addresses are not affected");
    nanos.addAndGet(1_000_000_000L);
    assertTrue(f.allowed("10.0.0.1"), "one more failure allowed a second later");
  }

  @Test
  void theMapIsBoundedForgettingTheLeastRecentlySeenAddresses() {
    FailedHellos f = new FailedHellos(1, 1, 1000, nanos::get);
    for (int i = 0; i < 5000; i++) f.failed("10.0." + (i / 256) + "." + (i % 256));
    assertEquals(1000, f.size());
    assertTrue(f.allowed("10.0.0.0"), "forgotten: the oldest");
    assertFalse(f.allowed("10.0.19.135"), "remembered: the newest");
  }
}
