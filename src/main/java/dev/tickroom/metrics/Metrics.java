package dev.tickroom.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * This node's metrics, through Micrometer, scraped by Prometheus at {@code /metrics}. A leaf: transports,
 * sessions and rooms report into it. Thread-safe.
 */
public final class Metrics {
  private final MeterRegistry registry;
  private final AtomicInteger rooms = new AtomicInteger();
  private final AtomicInteger players = new AtomicInteger();
  private final Counter ticks;
  private final Timer tickDuration;
  private final Counter conflated;
  private final Counter dropped;
  private final Counter slowDisconnects;
  private final Map<String, Counter> in = new ConcurrentHashMap<>();
  private final Map<String, Counter> out = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> bytesOut = new ConcurrentHashMap<>();
  private final RoomBytes roomBytes = new RoomBytes(RoomBytes.DEFAULT_ROOMS);

  /** Per game: tick work and lateness, overruns, catch-ups, bytes out per tick. */
  private final Map<String, GameMeters> games = new ConcurrentHashMap<>();
  private final Timer lateness;

  public Metrics(MeterRegistry registry) {
    this.registry = registry;
    lateness = Timer.builder("tickroom.tick.lateness").description("how late room ticks started against their schedule")
        .publishPercentiles(0.99).register(registry);
    Gauge.builder("tickroom.rooms", rooms, AtomicInteger::get).description("rooms running on this node").register(registry);
    Gauge.builder("tickroom.players", players, AtomicInteger::get).description("members of rooms on this node").register(registry);
    ticks = Counter.builder("tickroom.ticks").description("room ticks run").register(registry);
    tickDuration = Timer.builder("tickroom.tick.duration").description("time to run one room tick and send its state")
        .publishPercentileHistogram().publishPercentiles(0.99)
        .minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofMillis(100))
        .register(registry);
    conflated = Counter.builder("tickroom.states.conflated").description("states replaced by a newer one before they were sent").register(registry);
    dropped = Counter.builder("tickroom.updates.dropped").description("messages dropped with a slow client's connection").register(registry);
    slowDisconnects = Counter.builder("tickroom.slow.client.disconnects").description("connections dropped because the client read too slowly").register(registry);
  }

  /** Metrics with a Prometheus registry. */
  public static Metrics prometheus() {
    return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).withJvmMeters();
  }

  /**
   * Adds the JVM's own meters (memory pools, GC pauses, threads, CPU, class loading). Once per node: the GC
   * binder listens to the JVM for as long as it lives. Pekko's dispatchers expose no cheap queue or pool
   * figures, so the threads and CPU meters stand in for them.
   */
  public Metrics withJvmMeters() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    return this;
  }

  /** Metrics that go nowhere, for tests. */
  public static Metrics none() {
    return new Metrics(new SimpleMeterRegistry());
  }

  /** The Prometheus text format, or an empty string without a Prometheus registry. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }

  /** Registers a gauge of connections for one transport. */
  public void connectionsGauge(String transport, Supplier<Number> count) {
    Gauge.builder("tickroom.connections", count).tag("transport", transport).description("open client connections").register(registry);
  }

  public void roomStarted() {
    rooms.incrementAndGet();
  }

  public void roomStopped() {
    rooms.decrementAndGet();
  }

  public void playersChanged(int delta) {
    players.addAndGet(delta);
  }

  public void tick(long nanos) {
    ticks.increment();
    tickDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A room's tick took longer than its period (game code or the node too slow for the game's rate). */
  public void tickOverrun(String game) {
    games.computeIfAbsent(game, g -> new GameMeters(registry, g)).overruns.increment();
  }

  /** A room snapshot did not reach a majority of nodes in time (or could not be written at all). */
  public void snapshotWriteFailed() {
    Counter.builder("tickroom.snapshot.write.failures")
        .description("room snapshots not confirmed by a majority of nodes").register(registry).increment();
  }

  /** One room tick of {@code game}, as its {@link TickMeter} measured it, and the bytes it sent. */
  public void roomTick(String game, TickMeter.Sample s, long bytesOut) {
    GameMeters m = games.computeIfAbsent(game, g -> new GameMeters(registry, g));
    m.work.record(s.workNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    m.lateness.record(s.latenessNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    lateness.record(s.latenessNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    if (s.catchUp()) m.catchUps.increment();
    m.bytes.record(bytesOut);
  }

  private static final class GameMeters {
    final Timer work;
    final Timer lateness;
    final Counter overruns;
    final Counter catchUps;
    final DistributionSummary bytes;

    GameMeters(MeterRegistry r, String game) {
      work = Timer.builder("tickroom.game.tick.work").tag("game", game).description("time a room of this game spent on one tick")
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofMillis(200)).register(r);
      lateness = Timer.builder("tickroom.game.tick.lateness").tag("game", game).description("how late a tick started against its schedule")
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofSeconds(1)).register(r);
      // counted by the room (tickOverrun), which also logs them, so the counter and the log agree
      overruns = Counter.builder("tickroom.tick.overruns").tag("game", game).description("room ticks whose work took longer than the tick period").register(r);
      catchUps = Counter.builder("tickroom.game.tick.catchups").tag("game", game).description("ticks started an interval or more late (run back to back to catch up)").register(r);
      bytes = DistributionSummary.builder("tickroom.game.tick.bytes.out").tag("game", game).baseUnit("bytes")
          .description("state bytes one tick of a room sent to its members").register(r);
    }
  }

  public void messageIn(String transport) {
    in.computeIfAbsent(transport, t -> Counter.builder("tickroom.messages.in").tag("transport", t)
        .description("messages received from clients").register(registry)).increment();
  }

  public void messagesOut(String transport, int n) {
    out.computeIfAbsent(transport, t -> Counter.builder("tickroom.messages.out").tag("transport", t)
        .description("messages sent to clients").register(registry)).increment(n);
  }

  /**
   * Bytes sent to one client: counted per connection class ({@code tickroom_bytes_out_total{transport, sync,
   * format}}, at most 2 x 2 x 2 series) and, for room traffic, per room in a bounded table ({@link #roomBytes()},
   * shown in the admin view) rather than as a tag per room id.
   */
  public void bytesOut(String transport, String sync, String format, String room, int bytes) {
    bytesOut.computeIfAbsent(transport + '|' + sync + '|' + format, k -> Counter.builder("tickroom.bytes.out")
        .tag("transport", transport).tag("sync", sync).tag("format", format)
        .description("bytes sent to clients, by connection class").register(registry)).increment(bytes);
    if (room != null) roomBytes.add(room, bytes);
  }

  /** Bytes sent from this node to the members of each room, the rooms with the most first. */
  public RoomBytes roomBytes() {
    return roomBytes;
  }

  public void error(String code) {
    errors.computeIfAbsent(code, c -> Counter.builder("tickroom.errors").tag("code", c)
        .description("error messages sent to clients, by code").register(registry)).increment();
  }

  public void conflated(int n) {
    if (n > 0) conflated.increment(n);
  }

  public void slowClientDropped(int waitingMessages) {
    slowDisconnects.increment();
    dropped.increment(waitingMessages);
  }

  /** Totals for the dashboard: messages in and out over all transports, and the tick duration p99 in ms. */
  public Snapshot snapshot() {
    double i = in.values().stream().mapToDouble(Counter::count).sum();
    double o = out.values().stream().mapToDouble(Counter::count).sum();
    double p99 = 0;
    for (var v : tickDuration.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.99) p99 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    double lateP99 = 0;
    for (var v : lateness.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.99) lateP99 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    double overruns = 0;
    double catchUps = 0;
    for (GameMeters g : games.values()) {
      overruns += g.overruns.count();
      catchUps += g.catchUps.count();
    }
    return new Snapshot(i, o, p99, rooms.get(), players.get(), lateP99, overruns, catchUps,
        gauge("jvm.memory.used", "heap"), gauge("process.cpu.usage", null), gauge("jvm.threads.live", null));
  }

  private double gauge(String name, String area) {
    double sum = 0;
    var search = registry.find(name);
    if (area != null) search = search.tag("area", area);
    for (Gauge g : search.gauges()) sum += g.value();
    return Double.isNaN(sum) ? 0 : sum;
  }

  public record Snapshot(double messagesIn, double messagesOut, double tickP99Ms, int rooms, int players,
      double latenessP99Ms, double overruns, double catchUps, double heapUsedBytes, double cpu, double threads) {}
}
