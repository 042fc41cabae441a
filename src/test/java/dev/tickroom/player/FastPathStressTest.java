package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.config.Settings;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.RoomEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrency stress tests of the two fast paths that bypass the session actor ({@link InputShortcut},
 * {@link StateLine}): thousands of randomized lines (join, leave, input, ping) from a connection's stream
 * thread, against the real session actor and room stand-ins that tick on their own, with a model of what the
 * protocol allows. Each test fails when its fast path's guard is removed.
 */
@Timeout(180)
class FastPathStressTest {
  // ManualTime: no join is ever sent twice (the rooms answer at once), so the model stays exact
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\npekko.actor.serialize-messages = off"))
      .withFallback(ConfigFactory.load("application-test")));
  static final Settings settings = roomy(Settings.from(testKit.system().settings().config()));
  static final int SCENARIOS = 300;
  static final int LINES = 40;
  static final int THREADS = 3;
  /** How many lines the stream passes to the session before it waits for acknowledgements. */
  static final int STREAM_WINDOW = 16;

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /** No rate limit to speak of, and room lines never overflow while a join is answered: every line takes effect. */
  static Settings roomy(Settings s) {
    Settings.Limits l = s.limits();
    Settings.Rooms r = s.rooms();
    return new Settings(s.nodeName(), s.gameHost(), s.gamePort(), s.gameAdvertised(), s.httpHost(), s.httpPort(),
        new Settings.Limits(l.maxFrameBytes(), 1e9, 1_000_000, l.rateAbuseStrikes(), l.rateAbuseWindow(),
            l.outboundQueue(), 0, l.helloTimeout()),
        new Settings.Rooms(r.defaultGame(), r.idleTimeout(), r.resumeGrace(), r.disconnectLinger(), r.snapshotInterval(), 100_000,
            r.handOffTimeout(), r.snapshotReadAttempts(), r.snapshotTtl(), r.closedRoomTtl(), r.snapshotSweepInterval(),
            r.overrunLogInterval()),
        s.games(), s.auth(), s.askTimeout());
  }

  /** Resume-token keys made for this run. */
  static final ResumeTokens TOKENS = new ResumeTokens(ResumeTokens.Key.current("test", ResumeTokens.newSecret()));

  /** Makes a room tick once. */
  record TickNow() implements RoomEntity.Command {}

  /**
   * Stands in for a room: answers joins (or refuses them), leaves and attach-local as RoomEntity does, records
   * every input it receives in arrival order, and on {@link TickNow} sends each member its state, through the
   * member's direct line once it has one, else as a message.
   */
  static final class FakeRoom {
    final String id;
    final boolean refuses;
    /** Seqs of the inputs received, in arrival order, guarded by {@code monitor}, which is notified on each. */
    final List<Long> inputs = new ArrayList<>();
    final Object monitor;
    final Semaphore ticked = new Semaphore(0);
    private long ticks;
    final ActorRef<RoomEntity.Command> ref;

    private static final class Member {
      final ActorRef<RoomEvent> ref;
      RoomEntity.LocalStates local;
      long ack = -1;

      Member(ActorRef<RoomEvent> ref) {
        this.ref = ref;
      }
    }

    FakeRoom(String id, boolean refuses, Object monitor) {
      this.id = id;
      this.monitor = monitor;
      this.refuses = refuses;
      this.ref = testKit.spawn(behavior());
    }

    private Behavior<RoomEntity.Command> behavior() {
      return Behaviors.setup(ctx -> {
        Map<String, Member> members = new HashMap<>();
        long[] tick = {0};
        byte[] view = "{}".getBytes(StandardCharsets.UTF_8);
        return Behaviors.receive(RoomEntity.Command.class)
            .onMessage(RoomEntity.Join.class, j -> {
              if (refuses) {
                j.replyTo().tell(new RoomEvent.Rejected(id, ErrorCode.ROOM_FULL, "full"));
              } else {
                members.putIfAbsent(j.player(), new Member(j.replyTo()));
                j.replyTo().tell(new RoomEvent.Joined(id, "arena", j.player(), tick[0], view, ctx.getSelf()));
              }
              return Behaviors.same();
            })
            .onMessage(RoomEntity.Leave.class, l -> {
              members.remove(l.player());
              l.replyTo().tell(new RoomEvent.Left(id));
              return Behaviors.same();
            })
            .onMessage(RoomEntity.AttachLocal.class, a -> {
              Member m = members.get(a.player());
              if (m != null && m.ref.equals(a.session())) m.local = a.line();
              return Behaviors.same();
            })
            .onMessage(RoomEntity.Input.class, in -> {
              synchronized (monitor) {
                inputs.add(in.seq());
                monitor.notifyAll();
              }
              Member m = members.get(in.player());
              if (m != null) m.ack = Math.max(m.ack, in.seq());
              return Behaviors.same();
            })
            .onMessage(TickNow.class, t -> {
              tick[0]++;
              for (Member m : members.values()) {
                if (m.local != null) m.local.offer(id, tick[0], m.ack, view);
                else m.ref.tell(new RoomEvent.State(id, tick[0], m.ack, view));
              }
              synchronized (this) {
                ticks++;
                notifyAll();
              }
              ticked.release();
              return Behaviors.same();
            })
            .onMessage(RoomEntity.GetInfo.class, g -> {
              g.replyTo().tell(new RoomEntity.Info(id, "arena", tick[0], members.size()));
              return Behaviors.same();
            })
            .onAnyMessage(msg -> Behaviors.same())
            .build();
      });
    }

    /** Waits (at most 1 s) until the room has ticked once more. */
    synchronized void awaitTick() throws InterruptedException {
      long seen = ticks;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (ticks == seen && System.nanoTime() < until) TimeUnit.NANOSECONDS.timedWait(this, until - System.nanoTime());
    }

    List<Long> inputs() {
      synchronized (monitor) {
        return new ArrayList<>(inputs);
      }
    }

    /** Returns once the room has handled everything sent to it before this call. */
    void barrier() {
      AskPattern.<RoomEntity.Command, RoomEntity.Info>ask(ref, RoomEntity.GetInfo::new, Duration.ofSeconds(10),
          testKit.system().scheduler()).toCompletableFuture().join();
    }
  }

  /** One connection: the real session behind a stream thread that works as SessionFlow does. */
  static final class Connection {
    final PlayerSessionTest.RecordingConnection conn = new PlayerSessionTest.RecordingConnection();
    final InputShortcut inputs;
    final ActorRef<PlayerSession.Command> session;
    final Semaphore window = new Semaphore(STREAM_WINDOW);
    final ActorRef<PlayerSession.Ack> acks;

    Connection(Map<String, FakeRoom> rooms) {
      PlayerDirectory directory = new PlayerDirectory.Local(60_000);
      PlayerSession.Deps deps = new PlayerSession.Deps(settings, () -> "node-1",
          new Handshake(java.util.Optional.empty(), java.time.Duration.ofSeconds(3),
              () -> java.util.concurrent.CompletableFuture.completedFuture(TOKENS), java.time.Duration.ofSeconds(3), directory,
              new FailedHellos(1, 1000, 100, System::nanoTime), settings.rooms().resumeGrace(), System::currentTimeMillis,
              () -> "node-1", dev.tickroom.protocol.Features.supported()),
          directory, new SessionRegistry(), dev.tickroom.metrics.Metrics.none(),
          id -> rooms.get(id).ref, System::nanoTime, System::currentTimeMillis);
      inputs = PlayerSession.inputShortcut(deps);
      session = testKit.spawn(PlayerSession.create(deps, conn, inputs));
      acks = testKit.spawn(Behaviors.receive(PlayerSession.Ack.class).onAnyMessage(a -> {
        window.release();
        return Behaviors.same();
      }).build());
    }

    /** The stream: the shortcut first; else on to the session, at most {@link #STREAM_WINDOW} unacknowledged. */
    void send(String json) throws InterruptedException {
      Decoded d = Codec.decode(json.getBytes(StandardCharsets.UTF_8));
      if (inputs.offer(d)) return;
      window.acquire();
      session.tell(new PlayerSession.FromClient(acks, d));
    }

    /** Waits until the session has acknowledged every line it was given. */
    void drained() throws InterruptedException {
      assertTrue(window.tryAcquire(STREAM_WINDOW, 10, TimeUnit.SECONDS), "the session acknowledged every line");
      window.release(STREAM_WINDOW);
    }

    void stop() {
      testKit.stop(session);
      testKit.stop(acks);
    }
  }

  static String input(long seq) {
    return "{\"type\":\"input\",\"seq\":" + seq + ",\"data\":{}}";
  }

  static String join(String room) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\"}";
  }

  /** Runs {@code scenario} with seeds 0..SCENARIOS-1 on a few threads; returns the violations found. */
  static List<String> runAll(long seed, ScenarioRun scenario) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < SCENARIOS; i++) {
        long s = seed + i;
        results.add(pool.submit(() -> scenario.run(new Random(s))));
      }
      List<String> violations = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        String v = results.get(i).get(60, TimeUnit.SECONDS);
        if (v != null) violations.add("seed " + (seed + i) + ": " + v);
      }
      return violations;
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  interface ScenarioRun {
    String run(Random random) throws Exception;
  }

  /**
   * Waits (at most 10 s) until every room has received exactly the inputs expected for it; returns what is
   * wrong, or null. Fails at once when a room receives an input that it should not have at that place.
   */
  static String awaitInputs(Map<String, FakeRoom> rooms, Map<String, List<Long>> expected, Object monitor)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (monitor) {
      while (true) {
        boolean complete = true;
        for (FakeRoom room : rooms.values()) {
          List<Long> want = expected.get(room.id);
          if (room.inputs.size() > want.size() || !want.subList(0, room.inputs.size()).equals(room.inputs)) {
            return "room " + room.id + " got inputs " + room.inputs + ", expected " + want;
          }
          if (room.inputs.size() < want.size()) complete = false;
        }
        if (complete) return null;
        long left = deadline - System.nanoTime();
        if (left <= 0) return "inputs missing after 10 s: expected " + expected;
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
    }
  }

  // ------------------------------------------------------------------ InputShortcut

  @Test
  void everyInputReachesExactlyTheRoomItWasSentFor() throws Exception {
    List<String> violations = runAll(1_000, FastPathStressTest::inputScenario);
    assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
        violations.size() + " of " + SCENARIOS + " scenarios broke the order");
  }

  /**
   * A random script of joins (one room refuses), leaves, inputs and pings. The model: an input belongs to
   * the room of the last join before it, unless a leave, or a refused join, came in between. Each room must
   * receive exactly the inputs that belong to it, in order; the fast path must never let an input overtake
   * the leave or join before it.
   */
  static String inputScenario(Random random) throws Exception {
    Map<String, FakeRoom> rooms = new LinkedHashMap<>();
    Object monitor = new Object();
    for (String id : List.of("a", "b")) rooms.put(id, new FakeRoom(id, false, monitor));
    rooms.put("full", new FakeRoom("full", true, monitor));
    Map<String, List<Long>> expected = new HashMap<>();
    expected.put("a", new ArrayList<>());
    expected.put("b", new ArrayList<>());
    Connection c = new Connection(rooms);
    try {
      c.send("{\"type\":\"hello\",\"name\":\"stress\"}");
      String current = null;
      long seq = 0;
      for (int i = 0; i < LINES; i++) {
        int r = random.nextInt(100);
        if (r < 18) {
          String target = List.of("a", "b", "a", "b", "full").get(random.nextInt(5));
          c.send(join(target));
          current = target.equals("full") ? null : target;
        } else if (r < 30) {
          c.send("{\"type\":\"leave\"}");
          current = null;
        } else if (r < 35) {
          c.send("{\"type\":\"ping\",\"t\":" + i + "}");
        } else {
          seq++;
          c.send(input(seq));
          if (current != null) expected.get(current).add(seq);
        }
      }
      c.drained();
      // every input that belongs to a room arrives there, in order; none arrives anywhere else
      expected.put("full", List.of());
      String wrong = awaitInputs(rooms, expected, monitor);
      if (wrong != null) return wrong;
      for (FakeRoom room : rooms.values()) room.barrier();
      for (String id : List.of("a", "b")) {
        if (!rooms.get(id).inputs().equals(expected.get(id))) {
          return "room " + id + " got inputs " + rooms.get(id).inputs() + ", expected " + expected.get(id);
        }
      }
      if (!rooms.get("full").inputs().isEmpty()) return "the room that refused got inputs " + rooms.get("full").inputs();
      return null;
    } finally {
      c.stop();
      for (FakeRoom room : rooms.values()) testKit.stop(room.ref);
    }
  }

  // ------------------------------------------------------------------ StateLine

  @Test
  void statesNeverOutliveTheirMembershipAndTicksAndAcksNeverGoBack() throws Exception {
    List<String> violations = runAll(2_000, FastPathStressTest::stateScenario);
    assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
        violations.size() + " of " + SCENARIOS + " scenarios broke the state order");
  }

  /**
   * Two rooms tick as fast as they can on their own threads while the client joins, leaves and sends inputs.
   * What the client receives must follow PROTOCOL.md: a room's states only between its {@code joined} and
   * its {@code left}, ticks strictly increasing and acks never decreasing between two {@code joined}.
   */
  static String stateScenario(Random random) throws Exception {
    Map<String, FakeRoom> rooms = new LinkedHashMap<>();
    for (String id : List.of("a", "b")) rooms.put(id, new FakeRoom(id, false, new Object()));
    Connection c = new Connection(rooms);
    AtomicBoolean ticking = new AtomicBoolean(true);
    Thread ticker = new Thread(() -> {
      try {
        while (ticking.get()) {
          for (FakeRoom room : rooms.values()) room.ref.tell(new TickNow());
          for (FakeRoom room : rooms.values()) {
            if (!room.ticked.tryAcquire(10, TimeUnit.SECONDS)) return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ticker");
    ticker.start();
    try {
      c.send("{\"type\":\"hello\",\"name\":\"stress\"}");
      long seq = 0;
      for (int i = 0; i < LINES; i++) {
        int r = random.nextInt(100);
        if (r < 25) c.send(join(random.nextBoolean() ? "a" : "b"));
        else if (r < 45) c.send("{\"type\":\"leave\"}");
        else if (r < 55) c.send("{\"type\":\"ping\",\"t\":" + i + "}");
        else c.send(input(++seq));
        // let the rooms tick in between some of the lines
        if (random.nextInt(4) == 0) rooms.get(random.nextBoolean() ? "a" : "b").awaitTick();
      }
      c.drained();
    } finally {
      ticking.set(false);
      ticker.join(10_000);
    }
    try {
      List<ServerMessage> sent = new ArrayList<>(c.conn.sent);
      String room = null;
      long lastTick = 0;
      long lastAck = Long.MIN_VALUE;
      for (int i = 0; i < sent.size(); i++) {
        ServerMessage m = sent.get(i);
        if (m instanceof ServerMessage.Joined j) {
          room = j.room();
          lastTick = j.tick();
          lastAck = Long.MIN_VALUE;
        } else if (m instanceof ServerMessage.Left l) {
          if (l.room().equals(room)) room = null;
        } else if (m instanceof ServerMessage.State s) {
          String where = "message " + i + " " + s.room() + " tick " + s.tick() + " ack " + s.ack();
          if (!s.room().equals(room)) return "a state outside its membership (in " + room + "): " + where;
          if (s.tick() <= lastTick) return "tick not increasing after " + lastTick + ": " + where;
          if (s.ack() < lastAck) return "ack going back after " + lastAck + ": " + where;
          lastTick = s.tick();
          lastAck = s.ack();
        } else if (m instanceof ServerMessage.Error e) {
          if (!ErrorCode.NOT_IN_ROOM.equals(e.code())) return "unexpected error " + e;
        }
      }
      return null;
    } finally {
      c.stop();
      for (FakeRoom r : rooms.values()) testKit.stop(r.ref);
    }
  }
}
