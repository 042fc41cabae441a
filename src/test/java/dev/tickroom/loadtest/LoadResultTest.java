package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class LoadResultTest {
  @Test
  void jsonHasTheDocumentedKeysInOrderWithNullsForMissingFigures() {
    LoadResult r = new LoadResult("echo-load", 100, 0, 30, 3_000_000, 100_000.04, 0.1234, 1.5, 20.0, 3_000_000,
        null, 2, Map.of("rate_limited", 2L), 1, null, null, null,
        new LoadResult.Connections(100, 100, 0, 0, null), 0, 0, 0, 0, null, 120_000_000);
    assertEquals("{\"scenario\":\"echo-load\",\"clients\":100,\"rooms\":0,\"seconds\":30,"
        + "\"delivered_per_s\":100000,\"lat_p50_ms\":0.123,\"lat_p99_ms\":1.5,\"lat_max_ms\":20,"
        + "\"tick_interval_p99_ms\":null,\"errors\":2,\"disconnects\":1,\"server_cpu_s\":null,"
        + "\"cpu_s_per_million\":null,\"server_rss_mb\":null,\"bytes_per_state\":40,"
        + "\"bytes_per_s_per_client\":40000}", r.json());
  }

  @Test
  void numbersAreRoundedPlainDecimals() {
    assertEquals("12.35", LoadResult.num(12.345, 2));
    assertEquals("0.0001", LoadResult.num(0.00012, 4));
    assertEquals("0", LoadResult.num(0.0, 3));
    assertEquals("1234567", LoadResult.num(1234567.0, 1));
    assertEquals("null", LoadResult.num(Double.NaN, 1));
    assertEquals("null", LoadResult.num(null, 1));
  }
}
