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
        + "\"bytes_per_s_per_client\":40000,\"hello_p50_ms\":null,\"hello_p99_ms\":null,"
        + "\"hello_max_ms\":null,\"all_ready_s\":null}", r.json());
  }

  @Test
  void handshakeFiguresCloseTheJsonLine() {
    LoadResult r = new LoadResult("lobby", 500, 0, 5, 500, 100, 1.0, 2.0, 3.0, 500, null, 0, Map.of(), 0, null,
        null, null, new LoadResult.Connections(500, 500, 0, 0, null), 0, 0, 0, 0, null, 0,
        new LoadResult.Handshakes(12.3456, 80.0, 95.5, 1.25));
    assertEquals(true, r.json().endsWith(
        "\"hello_p50_ms\":12.346,\"hello_p99_ms\":80,\"hello_max_ms\":95.5,\"all_ready_s\":1.25}"), r.json());
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
