package dev.tickroom.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Figures shared by the I/O threads (writers) and the coordinator (reader). Latencies and tick intervals are
 * recorded in microseconds twice: into an "all" recorder that the coordinator drains each second for the
 * progress line and CSV, and, for samples that arrive inside the measured window, into a "window" recorder
 * that yields the final figures.
 */
final class Stats {
  /** Deliveries (state messages or pongs) over the whole run, for per-second rates. */
  final LongAdder delivered = new LongAdder();
  /** Deliveries inside the measured window. */
  final LongAdder deliveredInWindow = new LongAdder();
  /** Bytes read from the server in the measured window. */
  final LongAdder bytesInWindow = new LongAdder();
  /** {@code error} messages received (whole run). */
  final LongAdder errors = new LongAdder();
  /** Established connections the server closed (whole run). */
  final LongAdder disconnects = new LongAdder();
  /** Connection attempts made so far. */
  final LongAdder attempted = new LongAdder();
  /** Connection attempts that failed. */
  final LongAdder connectFailures = new LongAdder();
  /** Clients whose handshake was answered with an error (e.g. room_full); they are closed. */
  final LongAdder rejected = new LongAdder();
  /** Clients that got a {@code welcome}. */
  final LongAdder welcomed = new LongAdder();
  /** Lines that could not be read as a message with a type, or were too long. */
  final LongAdder unreadable = new LongAdder();
  /** Gaps in the {@code tick} sequence seen by one connection, summed (arena). */
  final LongAdder missedTicks = new LongAdder();
  /** Inputs still unacknowledged when the per-connection history overflowed (arena). */
  final LongAdder unacked = new LongAdder();
  /** Clients that completed their handshake and are still connected. */
  final AtomicInteger ready = new AtomicInteger();
  /** The most clients ready at one time. */
  final AtomicInteger peakReady = new AtomicInteger();
  final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
  volatile String firstConnectError;

  final Recorder latency = new Recorder(3);
  final Recorder latencyInWindow = new Recorder(3);
  final Recorder tickInterval = new Recorder(3);
  final Recorder tickIntervalInWindow = new Recorder(3);

  void error(String code) {
    errors.increment();
    errorCodes.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  /** Error counts by code, sorted by code. */
  Map<String, Long> errorCodeCounts() {
    Map<String, Long> m = new TreeMap<>();
    errorCodes.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
