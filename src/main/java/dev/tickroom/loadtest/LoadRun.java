package dev.tickroom.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Coordinates one run: starts the I/O loops, wakes each second to print progress and sample the server's CPU
 * at the edges of the measured window, stops everything after the window and assembles the
 * {@link LoadResult}. Timeline: ramp-up (clients / ramp-per-second), then warm-up, then the measured window.
 */
final class LoadRun {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  /** Arena tick rate (PROTOCOL.md): every member gets this many state messages per second. */
  static final int ARENA_HZ = 20;

  private final Options o;
  private final InetSocketAddress target;
  private final PrintStream out;
  private final Stats stats = new Stats();
  private final Series series = new Series();
  private final int total;
  private final boolean arena;

  private final Histogram latencyWindow = new Histogram(3);
  private final Histogram tickWindow = new Histogram(3);
  private Histogram latencyRecycle;
  private Histogram tickRecycle;
  private Histogram latencyWindowRecycle;
  private Histogram tickWindowRecycle;

  private long base;
  private long rampEnd;
  private long windowStart;
  private long windowEnd;
  private long lastReportAt;
  private long lastDelivered;

  LoadRun(Options o, InetSocketAddress target, PrintStream out) {
    this.o = o;
    this.target = target;
    this.out = out;
    this.total = o.totalClients();
    this.arena = o.scenario() == Scenario.ARENA;
  }

  LoadResult run() {
    warnAboutLimits();
    int threads = Math.min(o.ioThreads(), total);
    base = System.nanoTime() + 20 * MS;
    rampEnd = base + (long) Math.ceil(total * 1e9 / o.rampPerSecond());
    windowStart = rampEnd + nanos(o.warmupSeconds());
    windowEnd = windowStart + nanos(o.durationSeconds());
    IoLoop.Plan plan = new IoLoop.Plan(o, target, base, windowStart, windowEnd);

    out.printf(Locale.ROOT, "loadtest %s -> %s:%d: %s, %d I/O thread(s); ramp-up %.1f s, warm-up %s s, "
            + "measuring %s s%n", o.scenario().cliName(), target.getAddress().getHostAddress(), target.getPort(),
        switch (o.scenario()) {
          case ARENA -> o.rooms() + " rooms x " + o.playersPerRoom() + " players = " + total + " clients";
          case ECHO -> total + " clients x " + o.inFlight() + " pings in flight";
          case LOBBY -> total + " clients idle in the lobby, a ping every " + LoadResult.num(o.pingIntervalSeconds(), 3)
              + " s each";
        },
        threads, (rampEnd - base) / 1e9, LoadResult.num(o.warmupSeconds(), 3),
        LoadResult.num(o.durationSeconds(), 3));

    IoLoop[] loops = new IoLoop[threads];
    Thread[] workers = new Thread[threads];
    try {
      for (int i = 0; i < threads; i++) {
        loops[i] = new IoLoop(i, threads, plan, stats);
        workers[i] = new Thread(loops[i], "loadtest-io-" + i);
        workers[i].setDaemon(true);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector: " + e.getMessage(), e);
    }
    for (Thread w : workers) w.start();

    long cpuStart = -1;
    long cpuEnd = -1;
    boolean cpuStartTaken = false;
    String abortReason = null;
    long stoppedAt;
    lastReportAt = base;
    long nextReport = base + SECOND;
    while (true) {
      long now = System.nanoTime();
      long wake = Math.min(nextReport, windowEnd);
      if (o.serverPid() != 0 && !cpuStartTaken) wake = Math.min(wake, windowStart);
      if (wake - now > 0) {
        LockSupport.parkNanos(wake - now);
        continue;
      }
      if (o.serverPid() != 0 && !cpuStartTaken && now - windowStart >= 0) {
        cpuStart = ProcStat.cpuTicks(o.serverPid());
        cpuStartTaken = true;
      }
      if (now - windowEnd >= 0) {
        if (o.serverPid() != 0) cpuEnd = ProcStat.cpuTicks(o.serverPid());
        stoppedAt = now;
        break;
      }
      if (now - nextReport >= 0) {
        report(now, true);
        nextReport += SECOND;
        if (nextReport - now <= 0) nextReport = now + SECOND; // fell behind: do not report in a burst
      }
      abortReason = everyoneGone(now);
      if (abortReason != null) {
        stoppedAt = now;
        break;
      }
    }
    double rssMb = o.serverPid() != 0 ? ProcStat.rssMb(o.serverPid()) : -1;
    if (stoppedAt - lastReportAt > 50 * MS) report(stoppedAt, abortReason == null);

    for (IoLoop l : loops) l.stop();
    for (Thread w : workers) {
      try {
        w.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    drainWindow();

    if (abortReason == null && stats.welcomed.sum() == 0) {
      abortReason = "no client completed its handshake (no welcome received)";
    }
    LoadResult r = result(stoppedAt, cpuStart, cpuEnd, rssMb, abortReason);
    writeFiles();
    printSummary(r);
    out.println(r.json());
    out.flush();
    return r;
  }

  /** Non-null when every client has failed, been rejected or been disconnected: nothing left to measure. */
  private String everyoneGone(long now) {
    if (now - rampEnd < 0 || stats.attempted.sum() < total || stats.ready.get() > 0) return null;
    long gone = stats.connectFailures.sum() + stats.rejected.sum() + stats.disconnects.sum();
    if (gone < total) return null;
    return stats.welcomed.sum() == 0
        ? "no client could connect and complete its handshake"
        : "every connection was lost before the end of the run";
  }

  // ------------------------------------------------------------------ per-second figures

  private void report(long now, boolean print) {
    double intervalS = Math.max(1e-3, (now - lastReportAt) / 1e9);
    lastReportAt = now;
    long delivered = stats.delivered.sum();
    double rate = (delivered - lastDelivered) / intervalS;
    lastDelivered = delivered;
    Histogram lat = latencyRecycle = stats.latency.getIntervalHistogram(latencyRecycle);
    Histogram tick = tickRecycle = stats.tickInterval.getIntervalHistogram(tickRecycle);
    drainWindow();
    int ready = stats.ready.get();
    String phase = now - rampEnd < 0 ? "ramp-up" : now - windowStart < 0 ? "warm-up" : "measure";

    series.add(new Series.Sample((now - base) / 1e9, phase, ready, rate, ms(lat, 50), ms(lat, 99), maxMs(lat),
        arena ? ms(tick, 99) : null, stats.errors.sum(), stats.disconnects.sum()));
    if (!print) return;

    boolean measuring = phase.equals("measure");
    Double p99 = measuring ? ms(latencyWindow, 99) : ms(lat, 99);
    StringBuilder line = new StringBuilder(160);
    line.append(String.format(Locale.ROOT, "[%6.1fs] %-7s connected %d/%d  ", (now - base) / 1e9, phase, ready,
        total));
    if (arena) {
      line.append(String.format(Locale.ROOT, "delivered/s %.0f (%.1f%%)", rate, 100 * rate / (total * ARENA_HZ)));
    } else {
      line.append(String.format(Locale.ROOT, "round trips/s %.0f", rate));
    }
    line.append(measuring ? "  p99 so far " : "  p99(1s) ")
        .append(p99 == null ? "-" : LoadResult.num(p99, 1) + " ms")
        .append("  errors ").append(stats.errors.sum());
    long disconnects = stats.disconnects.sum();
    if (disconnects > 0) line.append("  disconnects ").append(disconnects);
    long failed = stats.connectFailures.sum();
    if (failed > 0) line.append("  connect failures ").append(failed);
    out.println(line);
  }

  /** Moves the window samples recorded so far into the run's window histograms. */
  private void drainWindow() {
    latencyWindowRecycle = drainInto(stats.latencyInWindow, latencyWindow, latencyWindowRecycle);
    tickWindowRecycle = drainInto(stats.tickIntervalInWindow, tickWindow, tickWindowRecycle);
  }

  private static Histogram drainInto(Recorder recorder, Histogram total, Histogram recycle) {
    Histogram interval = recorder.getIntervalHistogram(recycle);
    total.add(interval);
    return interval;
  }

  // ------------------------------------------------------------------ result

  private LoadResult result(long stoppedAt, long cpuStart, long cpuEnd, double rssMb, String abortReason) {
    double seconds = Math.max(0, Math.min(o.durationSeconds(), (stoppedAt - windowStart) / 1e9));
    if (stoppedAt - windowEnd >= 0) seconds = o.durationSeconds();
    long delivered = stats.deliveredInWindow.sum();
    double perS = seconds > 0 ? delivered / seconds : 0;
    Double cpuS = null;
    Double perMillion = null;
    if (cpuStart >= 0 && cpuEnd >= 0) {
      cpuS = (cpuEnd - cpuStart) / (double) ProcStat.clockTicksPerSecond();
      perMillion = delivered > 0 ? cpuS / (delivered / 1e6) : null;
    }
    int exit = abortReason == null ? 0 : stats.welcomed.sum() == 0 ? 3 : 4;
    LoadResult.Connections conns = new LoadResult.Connections(stats.peakReady.get(), stats.attempted.sum(),
        stats.connectFailures.sum(), stats.rejected.sum(), stats.firstConnectError);
    return new LoadResult(o.scenario().cliName(), total, arena ? o.rooms() : 0, seconds, delivered, perS,
        ms(latencyWindow, 50), ms(latencyWindow, 99), maxMs(latencyWindow), latencyWindow.getTotalCount(),
        arena ? ms(tickWindow, 99) : null, stats.errors.sum(), stats.errorCodeCounts(), stats.disconnects.sum(),
        cpuS, perMillion, rssMb >= 0 ? rssMb : null, conns, stats.missedTicks.sum(), stats.unacked.sum(),
        stats.unreadable.sum(), exit, abortReason, stats.bytesInWindow.sum());
  }

  private void printSummary(LoadResult r) {
    LoadResult.Connections c = r.connections();
    out.println();
    out.printf(Locale.ROOT, "== %s summary (measured window: %s s)%n", r.scenario(), LoadResult.num(r.seconds(), 3));
    if (r.failure() != null) out.println("run failed: " + r.failure());
    out.printf(Locale.ROOT, "connections   %d planned, %d ready at peak, %d failed to connect, %d rejected, "
        + "%d closed by the server%n", total, c.peakReady(), c.failed(), c.rejected(), r.disconnects());
    if (c.firstFailure() != null) out.println("              first connect failure: " + c.firstFailure());
    if (arena) {
      double expected = total * (double) ARENA_HZ;
      out.printf(Locale.ROOT, "delivered     %.1f state messages/s = %.1f%% of expected %.0f/s (%d in window)%n",
          r.deliveredPerS(), 100 * r.deliveredPerS() / expected, expected, r.delivered());
    } else {
      out.printf(Locale.ROOT, "round trips   %.1f /s (%d in window)%n", r.deliveredPerS(), r.delivered());
    }
    out.printf(Locale.ROOT, "latency       p50 %s  p99 %s  max %s  (%d samples%s)%n", msText(r.latP50Ms()),
        msText(r.latP99Ms()), msText(r.latMaxMs()), r.latencySamples(),
        arena ? ", input sent -> first state acking it" : ", ping -> pong");
    if (arena) {
      out.printf(Locale.ROOT, "tick interval p99 %s; missed ticks %d; inputs never acked %d%n",
          msText(r.tickIntervalP99Ms()), r.missedTicks(), r.unacked());
    }
    StringBuilder errors = new StringBuilder("errors        " + r.errors());
    if (!r.errorCodes().isEmpty()) {
      errors.append(" (");
      for (Map.Entry<String, Long> e : r.errorCodes().entrySet()) {
        errors.append(e.getKey()).append('=').append(e.getValue()).append(' ');
      }
      errors.setCharAt(errors.length() - 1, ')');
    }
    if (r.unreadable() > 0) errors.append("; unreadable lines ").append(r.unreadable());
    out.println(errors);
    if (r.bytesPerDelivered() != null) {
      out.printf(Locale.ROOT, "bytes         %.1f per %s, %.0f per second per client (sync %s, format %s)%n",
          r.bytesPerDelivered(), arena ? "delivered state" : "round trip", r.bytesPerSecondPerClient(), o.sync(), o.format());
    }
    if (o.serverPid() != 0) {
      out.printf(Locale.ROOT, "server        pid %d: cpu %s s in window, %s s per 1M %s, RSS %s MB%n",
          o.serverPid(), orDash(r.serverCpuS(), 2), orDash(r.cpuSPerMillion(), 4),
          arena ? "state messages" : "round trips", orDash(r.serverRssMb(), 1));
    }
  }

  private void writeFiles() {
    if (o.csv() != null) {
      try {
        series.writeCsv(o.csv());
        out.println("wrote " + o.csv());
      } catch (IOException | RuntimeException e) {
        out.println("warning: cannot write CSV " + o.csv() + ": " + e);
      }
    }
    if (o.chart() != null) {
      try {
        series.writeChart(o.chart(), "tickroom " + o.scenario().cliName() + ", " + total + " clients",
            arena ? "state messages/s" : "round trips/s", (windowStart - base) / 1e9, (windowEnd - base) / 1e9);
        out.println("wrote " + o.chart());
      } catch (IOException | RuntimeException | LinkageError e) {
        out.println("warning: cannot write chart " + o.chart() + ": " + e);
      }
    }
  }

  private void warnAboutLimits() {
    long limit = ProcStat.openFilesLimit();
    if (limit > 0 && total + 64 > limit) {
      out.printf(Locale.ROOT, "warning: %d connections but the open-files limit is %d; raise `ulimit -n`%n",
          total, limit);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }

  /** A percentile in ms from a histogram of microseconds; null when empty. */
  private static Double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static Double maxMs(Histogram h) {
    return h.getTotalCount() == 0 ? null : h.getMaxValue() / 1000.0;
  }

  private static String msText(Double v) {
    return v == null ? "-" : LoadResult.num(v, 2) + " ms";
  }

  private static String orDash(Double v, int decimals) {
    return v == null ? "-" : LoadResult.num(v, decimals);
  }
}
