package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.config.Settings;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RoomEntityTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load("application-test")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final Duration TICK = Duration.ofMillis(100); // CounterGame ticks at 10 Hz
  static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /**
   * A snapshot store in memory, as the cluster's replicated one behaves on one node: a snapshot of an
   * older (incarnation, tick) never replaces a newer one. Tests can make loads fail, saves fail, or hold
   * saves open until they release them.
   */
  static final class MemoryStore implements SnapshotStore {
    final Map<String, RoomSnapshot> snapshots = new ConcurrentHashMap<>();
    final AtomicInteger failingLoads = new AtomicInteger();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger removals = new AtomicInteger();
    volatile boolean failSaves;
    /** Loads answer when this completes (already, unless a test replaces it). */
    volatile CompletableFuture<Void> loadGate = CompletableFuture.completedFuture(null);
    /** When set, saves take effect at once but complete only when this does (a majority that is slow to confirm). */
    volatile CompletableFuture<Done> confirmations;

    @Override
    public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
      return loadGate.thenCompose(open -> {
        loads.incrementAndGet();
        if (failingLoads.getAndDecrement() > 0) {
          return CompletableFuture.failedFuture(new IllegalStateException("no majority answered in time"));
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(snapshots.get(roomId)));
      });
    }

    @Override
    public CompletionStage<Done> save(RoomSnapshot snapshot) {
      if (failSaves) return CompletableFuture.failedFuture(new IllegalStateException("no majority confirmed in time"));
      snapshots.merge(snapshot.roomId(), snapshot, (old, now) -> old.order() > now.order() ? old : now);
      CompletableFuture<Done> gate = confirmations;
      return gate != null ? gate : CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> remove(String roomId) {
      removals.incrementAndGet();
      snapshots.remove(roomId);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Integer> sweep(long nowMillis, Duration snapshotTtl, Duration closedTtl) {
      return CompletableFuture.completedFuture(0);
    }
  }

  static RoomEntity.Deps deps(SnapshotStore store) {
    return deps(store, dev.tickroom.metrics.Metrics.none(), System::nanoTime);
  }

  static RoomEntity.Deps deps(SnapshotStore store, dev.tickroom.metrics.Metrics metrics, java.util.function.LongSupplier nanos) {
    Settings.Rooms rooms = Settings.from(testKit.system().settings().config()).rooms();
    Map<String, Game<?>> games = Map.of("counter", new CounterGame(), "other", new CounterGame("other", 3),
        "own", new CounterGame("own", 3, false));
    return new RoomEntity.Deps(rooms, new GameRegistry(games, "counter"), store, metrics, RoomListings.NONE,
        System::currentTimeMillis, nanos);
  }

  static ActorRef<RoomEntity.Command> room(String id, RoomEntity.Deps deps) {
    return testKit.spawn(RoomEntity.create(id, deps, null), id + "-" + ids.incrementAndGet());
  }

  static ActorRef<RoomEntity.Command> room(String id, SnapshotStore store) {
    return room(id, deps(store));
  }

  static ActorRef<RoomEntity.Command> room(String id) {
    return room(id, SnapshotStore.NONE);
  }

  static JsonNode json(byte[] bytes) throws Exception {
    return Codec.MAPPER.readTree(bytes);
  }

  /** Waits for the next state, skipping none: each tick sends exactly one. */
  static RoomEvent.State nextState(TestProbe<RoomEvent> probe) {
    return probe.expectMessageClass(RoomEvent.State.class);
  }

  /** Players pa (ann) and pb (bob) join a counter room, each through its own probe. */
  static void joinAnnAndBob(ActorRef<RoomEntity.Command> room, TestProbe<RoomEvent> a, TestProbe<RoomEvent> b) {
    room.tell(new RoomEntity.Join("pa", "ann", "counter", a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Join("pb", "bob", "counter", b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
  }

  @Test
  void firstJoinCreatesTheRoomWithTheDefaultGame() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r1");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Joined joined = a.expectMessageClass(RoomEvent.Joined.class);
    assertEquals("r1", joined.roomId());
    assertEquals("counter", joined.game());
    assertEquals("pa", joined.player());
    assertEquals(0, joined.tick());
    assertEquals(0, json(joined.state()).get("totals").get("pa").asInt());
  }

  @Test
  void inputsAreAppliedInArrivalOrderAtTheNextTickAndFannedOutToAll() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r2");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    joinAnnAndBob(room, a, b);

    room.tell(new RoomEntity.Input("pa", 1, Codec.MAPPER.readTree("{\"n\":5}")));
    room.tell(new RoomEntity.Input("pb", 1, Codec.MAPPER.readTree("{\"n\":2}")));
    room.tell(new RoomEntity.Input("pa", 2, Codec.MAPPER.readTree("{\"n\":1}")));
    a.expectNoMessage(Duration.ofMillis(50)); // nothing is applied before the tick
    manualTime.timePasses(TICK);

    RoomEvent.State sa = nextState(a);
    RoomEvent.State sb = nextState(b);
    assertEquals(1, sa.tick());
    assertEquals(2, sa.ack());
    assertEquals(1, sb.ack());
    JsonNode view = json(sa.state());
    assertEquals("[\"pa:1\",\"pb:1\",\"pa:2\"]", view.get("log").toString());
    assertEquals(6, view.get("totals").get("pa").asInt());
    assertEquals(2, view.get("totals").get("pb").asInt());
    assertEquals(sa.stateText(), sb.stateText());

    manualTime.timePasses(TICK);
    RoomEvent.State next = nextState(a);
    assertEquals(2, next.tick());
    assertEquals(2, next.ack()); // the ack stays at the last applied input
  }

  @Test
  void aGameRejectionReachesOnlyThatPlayer() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r3");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Join("pb", "bob", null, b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Input("pa", 1, Codec.MAPPER.readTree("{\"n\":-3}")));
    manualTime.timePasses(TICK);
    RoomEvent.Error err = a.expectMessageClass(RoomEvent.Error.class);
    assertEquals("negative", err.code());
    assertEquals(1, nextState(a).ack()); // a rejected input is still acknowledged
    assertEquals(-1, nextState(b).ack());
  }

  @Test
  void aFullRoomAndAWrongGameAreRejected() {
    ActorRef<RoomEntity.Command> room = room("r4");
    for (int i = 0; i < 3; i++) {
      TestProbe<RoomEvent> p = testKit.createTestProbe();
      room.tell(new RoomEntity.Join("p" + i, "n", null, p.getRef()));
      p.expectMessageClass(RoomEvent.Joined.class);
    }
    TestProbe<RoomEvent> late = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("p9", "late", null, late.getRef()));
    assertEquals(ErrorCode.ROOM_FULL, late.expectMessageClass(RoomEvent.Rejected.class).code());
    room.tell(new RoomEntity.Join("p8", "other", "other", late.getRef()));
    assertEquals(ErrorCode.BAD_REQUEST, late.expectMessageClass(RoomEvent.Rejected.class).code());

    ActorRef<RoomEntity.Command> fresh = room("r5");
    fresh.tell(new RoomEntity.Join("p1", "n", "no-such-game", late.getRef()));
    RoomEvent.Rejected r = late.expectMessageClass(RoomEvent.Rejected.class);
    assertEquals(ErrorCode.BAD_REQUEST, r.code());
    assertTrue(r.message().contains("no-such-game"), r.message());
  }

  @Test
  void chatReachesEveryMemberIncludingTheSender() {
    ActorRef<RoomEntity.Command> room = room("r6");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Join("pb", "bob", null, b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Chat("pa", "hello"));
    assertEquals(new RoomEvent.Chat("r6", "pa", "hello"), a.expectMessageClass(RoomEvent.Chat.class));
    assertEquals(new RoomEvent.Chat("r6", "pa", "hello"), b.expectMessageClass(RoomEvent.Chat.class));
  }

  @Test
  void aMemberWhoseSessionStopsLeavesTheGame() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r7");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Join("pb", "bob", null, b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
    b.stop();
    // the room notices through its death watch; poll tick by tick until the game has removed pb
    TestProbe<RoomEntity.Info> info = testKit.createTestProbe();
    info.awaitAssert(Duration.ofSeconds(5), () -> {
      room.tell(new RoomEntity.GetInfo(info.getRef()));
      assertEquals(1, info.expectMessageClass(RoomEntity.Info.class).players());
      return null;
    });
    manualTime.timePasses(TICK);
    JsonNode view = json(a.fishForMessage(Duration.ofSeconds(3), m -> m instanceof RoomEvent.State
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).stream()
        .filter(RoomEvent.State.class::isInstance).map(RoomEvent.State.class::cast).findFirst().orElseThrow().state());
    assertTrue(view.get("log").toString().contains("leave:pb:DISCONNECTED"), view.toString());
    assertTrue(!view.get("totals").has("pb"));
  }

  /** Records what a room offers on a member's local line. */
  static final class RecordingLine implements RoomEntity.LocalStates {
    final java.util.concurrent.BlockingQueue<long[]> offered = new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void offer(String roomId, long tick, long ack, byte[] view) {
      offered.add(new long[] {tick, ack});
    }

    long[] next() throws InterruptedException {
      long[] o = offered.poll(5, java.util.concurrent.TimeUnit.SECONDS);
      if (o == null) throw new AssertionError("no state offered on the local line");
      return o;
    }
  }

  @Test
  void anAttachedLocalLineTakesTheStatesUntilTheSessionIsReplaced() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r13");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    joinAnnAndBob(room, a, b);
    RecordingLine line = new RecordingLine();
    room.tell(new RoomEntity.AttachLocal("pa", a.getRef(), line));
    // a line offered by someone who is not the member's current session is ignored
    RecordingLine stranger = new RecordingLine();
    room.tell(new RoomEntity.AttachLocal("pb", a.getRef(), stranger));

    room.tell(new RoomEntity.Input("pa", 4, Codec.MAPPER.readTree("{\"n\":1}")));
    manualTime.timePasses(TICK);
    long[] first = line.next();
    assertEquals(1, first[0]);
    assertEquals(4, first[1]); // the member's own ack, as through the session
    assertEquals(1, nextState(b).tick()); // pb still gets states through its session
    a.expectNoMessage(Duration.ofMillis(50)); // pa's came on the line only
    assertTrue(stranger.offered.isEmpty());

    // a resumed session replaces the old one: states go to the new session again, not the old line
    TestProbe<RoomEvent> fresh = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, fresh.getRef()));
    fresh.expectMessageClass(RoomEvent.Joined.class);
    manualTime.timePasses(TICK);
    assertEquals(2, nextState(fresh).tick());
    assertTrue(line.offered.isEmpty());
  }

  @Test
  void aResumedSessionReplacesTheOldOneAndStaleDisconnectsAreIgnored() {
    ActorRef<RoomEntity.Command> room = room("r12");
    TestProbe<RoomEvent> old = testKit.createTestProbe();
    TestProbe<RoomEvent> fresh = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, old.getRef()));
    old.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Join("pa", "ann", null, fresh.getRef()));
    fresh.expectMessageClass(RoomEvent.Joined.class);
    assertEquals(new RoomEvent.Replaced("r12"), old.expectMessageClass(RoomEvent.Replaced.class));
    room.tell(new RoomEntity.Disconnect("pa", old.getRef())); // the old connection ends later
    manualTime.timePasses(TICK);
    assertEquals(1, nextState(fresh).tick()); // still a member
    TestProbe<RoomEntity.Info> info = testKit.createTestProbe();
    room.tell(new RoomEntity.GetInfo(info.getRef()));
    assertEquals(1, info.expectMessageClass(RoomEntity.Info.class).players());
    room.tell(new RoomEntity.Disconnect("pa", fresh.getRef()));
    room.tell(new RoomEntity.GetInfo(info.getRef()));
    assertEquals(0, info.expectMessageClass(RoomEntity.Info.class).players());
  }

  @Test
  void anEmptyRoomStopsAfterTheIdleTimeoutAndNotBefore() {
    ActorRef<RoomEntity.Command> room = room("r8");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Leave("pa", a.getRef()));
    fish(a, RoomEvent.Left.class);
    assertStopsExactlyAfterIdleTimeout(room);
  }

  @Test
  void aRoomWithMembersIsNotStoppedByTheIdleTimeout() {
    ActorRef<RoomEntity.Command> room = room("r9");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    Duration idle = deps(SnapshotStore.NONE).settings().idleTimeout();
    manualTime.timePasses(idle.plusSeconds(5));
    TestProbe<RoomEntity.Info> info = testKit.createTestProbe();
    room.tell(new RoomEntity.GetInfo(info.getRef()));
    RoomEntity.Info i = info.expectMessageClass(RoomEntity.Info.class);
    assertEquals(1, i.players());
    assertTrue(i.tick() > 0);
  }

  @Test
  void aFailingGameEndsItsRoomAndTellsTheMembers() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r10");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Input("pa", 1, Codec.MAPPER.readTree("{\"boom\":true}")));
    manualTime.timePasses(TICK);
    a.fishForMessage(Duration.ofSeconds(3), m -> m instanceof RoomEvent.Closed
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    a.expectTerminated(room, Duration.ofSeconds(3));
  }

  static void input(ActorRef<RoomEntity.Command> room, String player, long seq, String json) throws Exception {
    room.tell(new RoomEntity.Input(player, seq, Codec.MAPPER.readTree(json)));
  }

  static <T> T fish(TestProbe<RoomEvent> probe, Class<T> type) {
    return type.cast(probe.fishForMessage(Duration.ofSeconds(3), m -> type.isInstance(m)
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).stream().filter(type::isInstance).reduce((a, b) -> b).orElseThrow());
  }

  static RoomEntity.Info info(ActorRef<RoomEntity.Command> room) {
    TestProbe<RoomEntity.Info> info = testKit.createTestProbe();
    room.tell(new RoomEntity.GetInfo(info.getRef()));
    return info.expectMessageClass(RoomEntity.Info.class);
  }

  /** The room answers (it is alive), and then, after the rest of the idle timeout, it stops. */
  static void assertStopsExactlyAfterIdleTimeout(ActorRef<RoomEntity.Command> room) {
    Duration idle = deps(SnapshotStore.NONE).settings().idleTimeout();
    TestProbe<Object> watcher = testKit.createTestProbe();
    manualTime.timePasses(idle.minusMillis(1));
    assertEquals(0, info(room).players()); // still there just before the timeout
    manualTime.timePasses(Duration.ofMillis(2));
    watcher.expectTerminated(room, Duration.ofSeconds(3));
  }

  @Test
  void aRoomHandedOffWritesItsLastSnapshotAndTheNextIncarnationResyncsItsMembers() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r11", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 1, "{\"n\":7}");
    manualTime.timePasses(TICK);
    manualTime.timePasses(TICK);
    nextState(a);
    assertEquals(2, nextState(a).tick());
    room.tell(RoomEntity.Stop.INSTANCE); // what sharding sends at handoff
    assertEquals(new RoomEvent.Moving("r11"), a.expectMessageClass(RoomEvent.Moving.class), "members are told at once");
    a.expectTerminated(room, Duration.ofSeconds(3));
    RoomSnapshot saved = store.snapshots.get("r11");
    assertEquals(2, saved.tick());
    assertEquals(1, saved.incarnation());

    ActorRef<RoomEntity.Command> moved = room("r11", store);
    RoomEntity.Info i = info(moved);
    assertEquals(1, i.players());
    assertEquals(2, i.tick());
    assertEquals(2, store.snapshots.get("r11").incarnation()); // each restore is a new incarnation
    manualTime.timePasses(TICK);
    a.expectNoMessage(Duration.ofMillis(100)); // no state before the member's session re-attached
    // the session saw the old room actor stop and re-attaches: a fresh joined with the restored tick
    moved.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Joined again = a.expectMessageClass(RoomEvent.Joined.class);
    assertEquals(3, again.tick());
    assertEquals(7, json(again.state()).get("totals").get("pa").asInt());
    manualTime.timePasses(TICK);
    RoomEvent.State s = nextState(a);
    assertEquals(4, s.tick()); // continues from the snapshot's tick, never lower
    assertEquals(1, s.ack());
  }

  @Test
  void aHandOffWaitsForTheMajorityToConfirmItsSnapshot() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r20", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    store.confirmations = new CompletableFuture<>();
    room.tell(RoomEntity.Stop.INSTANCE);
    a.expectMessageClass(RoomEvent.Moving.class);
    assertEquals(1, info(room).players()); // alive while the write is not confirmed
    a.expectNoMessage(Duration.ofMillis(100));
    store.confirmations.complete(Done.getInstance());
    a.expectTerminated(room, Duration.ofSeconds(3));
  }

  @Test
  void aHandOffStopsAfterTheHandOffTimeoutAndCountsTheUnconfirmedWrite() throws Exception {
    MemoryStore store = new MemoryStore();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    RoomEntity.Deps deps = deps(store, new dev.tickroom.metrics.Metrics(registry), System::nanoTime);
    ActorRef<RoomEntity.Command> room = room("r21", deps);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    store.confirmations = new CompletableFuture<>(); // never confirmed
    room.tell(RoomEntity.Stop.INSTANCE);
    manualTime.timePasses(deps.settings().handOffTimeout().minusMillis(1));
    assertEquals(1, info(room).players()); // still waiting just before the timeout
    manualTime.timePasses(Duration.ofMillis(2));
    a.expectTerminated(room, Duration.ofSeconds(3));
    assertEquals(1.0, registry.counter("tickroom.snapshot.write.failures").count());
  }

  @Test
  void aFailedPeriodicSnapshotIsCountedAndTheRoomGoesOn() throws Exception {
    MemoryStore store = new MemoryStore();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    RoomEntity.Deps deps = deps(store, new dev.tickroom.metrics.Metrics(registry), System::nanoTime);
    ActorRef<RoomEntity.Command> room = room("r22", deps);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    store.failSaves = true;
    long every = deps.settings().snapshotInterval().toMillis() / TICK.toMillis(); // 10 ticks at 10 Hz
    for (long t = 1; t <= every; t++) {
      manualTime.timePasses(TICK);
      assertEquals(t, nextState(a).tick());
    }
    a.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(1.0, registry.counter("tickroom.snapshot.write.failures").count());
      return null;
    });
    manualTime.timePasses(TICK);
    assertEquals(every + 1, nextState(a).tick());
  }

  @Test
  void aRunningRoomWritesASnapshotEverySnapshotInterval() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r23", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 5, "{\"n\":3}");
    long every = deps(store).settings().snapshotInterval().toMillis() / TICK.toMillis();
    for (long t = 1; t < every; t++) {
      manualTime.timePasses(TICK);
      nextState(a);
    }
    assertTrue(!store.snapshots.containsKey("r23"), "no snapshot before the interval");
    manualTime.timePasses(TICK);
    nextState(a);
    a.awaitAssert(Duration.ofSeconds(3), () -> {
      RoomSnapshot s = store.snapshots.get("r23");
      assertEquals(every, s.tick());
      assertEquals(1, s.incarnation());
      assertEquals(5, s.members().get(0).ack());
      assertEquals(3, s.gameState().tree().get("totals").get("pa").asInt());
      assertEquals(ActorRefResolver.get(testKit.system()).toSerializationFormat(a.getRef()), s.members().get(0).session());
      return null;
    });
    // the player joins again from another connection: the next snapshot names the new session
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
    for (long t = 0; t < every; t++) {
      manualTime.timePasses(TICK);
      nextState(b);
    }
    b.awaitAssert(Duration.ofSeconds(3), () -> {
      RoomSnapshot s = store.snapshots.get("r23");
      assertEquals(2 * every, s.tick());
      assertEquals(ActorRefResolver.get(testKit.system()).toSerializationFormat(b.getRef()), s.members().get(0).session());
      return null;
    });
  }

  @Test
  void aSnapshotReadThatTimesOutIsRetriedNotTakenForNoSnapshot() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> first = room("r24", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    first.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    manualTime.timePasses(TICK);
    nextState(a);
    first.tell(RoomEntity.Stop.INSTANCE);
    a.expectMessageClass(RoomEvent.Moving.class);
    a.expectTerminated(first, Duration.ofSeconds(3));

    int attempts = deps(store).settings().snapshotReadAttempts();
    store.failingLoads.set(attempts - 1); // all but the last read time out
    ActorRef<RoomEntity.Command> next = room("r24", store);
    next.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Joined joined = a.expectMessageClass(RoomEvent.Joined.class);
    assertEquals(1, joined.tick()); // restored, not a fresh room at tick 0
  }

  @Test
  void aRoomWhoseSnapshotCannotBeReadRefusesJoinsAsUnavailable() throws Exception {
    MemoryStore store = new MemoryStore();
    store.failingLoads.set(Integer.MAX_VALUE);
    store.loadGate = new CompletableFuture<>();
    ActorRef<RoomEntity.Command> room = room("r25", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef())); // waits while the room reads
    store.loadGate.complete(null);
    RoomEvent.Rejected r = a.expectMessageClass(RoomEvent.Rejected.class);
    assertEquals(ErrorCode.ROOM_UNAVAILABLE, r.code());
    a.expectTerminated(room, Duration.ofSeconds(3)); // stops, so that the next join reads again
    assertEquals(deps(store).settings().snapshotReadAttempts(), store.loads.get());
  }

  @Test
  void anExpiredSnapshotIsIgnoredAndRemoved() throws Exception {
    MemoryStore store = new MemoryStore();
    Duration ttl = deps(store).settings().snapshotTtl();
    store.snapshots.put("r26", new RoomSnapshot("r26", "other", 1, 500, PackedTree.of(Codec.MAPPER.readTree(
        "{\"tick\":500,\"totals\":{\"ghost\":1},\"log\":[]}")),
        java.util.List.of(new RoomSnapshot.Member("ghost", "g", 1, "")), 4, 1,
        System.currentTimeMillis() - ttl.toMillis() - 60_000, false, null, null));
    ActorRef<RoomEntity.Command> room = room("r26", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Joined joined = a.expectMessageClass(RoomEvent.Joined.class);
    assertEquals("counter", joined.game()); // a fresh room, not the dead one with its ghost member
    assertEquals(0, joined.tick());
    assertEquals(1, info(room).players());
    assertTrue(store.removals.get() >= 1);
  }

  @Test
  void aRoomThatEndsNormallyDeletesItsSnapshot() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r27", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    for (int t = 0; t < 10; t++) {
      manualTime.timePasses(TICK);
      nextState(a);
    }
    a.awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(store.snapshots.containsKey("r27"));
      return null;
    });
    room.tell(new RoomEntity.Leave("pa", a.getRef()));
    fish(a, RoomEvent.Left.class);
    assertStopsExactlyAfterIdleTimeout(room);
    assertTrue(!store.snapshots.containsKey("r27"), "the snapshot of an ended room is gone");
  }

  /**
   * A leaving node tells its clients to reconnect before its rooms hand off, so a room whose players were
   * all connected there can be empty when the hand-off comes. They are only resuming: the room saves its
   * snapshot as usual instead of removing it, else their re-joins start a fresh game (seen in
   * RollingRestartIT: 334 ticks lost).
   */
  @Test
  void aRoomEmptiedByDisconnectsIsSavedAtHandOffNotRemoved() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r41", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    for (int t = 0; t < 5; t++) {
      input(room, "pa", t + 1, "{\"n\":1}");
      manualTime.timePasses(TICK);
      nextState(a);
    }
    room.tell(new RoomEntity.Disconnect("pa", a.getRef()));
    manualTime.timePasses(TICK);
    room.tell(RoomEntity.Stop.INSTANCE);
    a.expectTerminated(room, Duration.ofSeconds(3));
    RoomSnapshot saved = store.snapshots.get("r41");
    assertTrue(saved != null && saved.tick() >= 5, "the hand-off saved the room: " + saved);
    assertEquals(0, store.removals.get());
  }

  @Test
  void aRoomEmptiedByLeavesIsRemovedAtHandOff() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> left = room("r42", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    left.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    left.tell(new RoomEntity.Leave("pa", a.getRef()));
    fish(a, RoomEvent.Left.class);
    left.tell(RoomEntity.Stop.INSTANCE);
    a.expectTerminated(left, Duration.ofSeconds(3));
    assertTrue(!store.snapshots.containsKey("r42"), "a room its players left is gone");
  }

  @Test
  void aKickedPlayerIsToldAndTheGameSeesItLeave() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r28");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    joinAnnAndBob(room, a, b);
    input(room, "pa", 1, "{\"kick\":\"pb\"}");
    manualTime.timePasses(TICK);
    assertEquals(new RoomEvent.Left("r28"), b.expectMessageClass(RoomEvent.Left.class));
    JsonNode view = json(nextState(a).state());
    assertTrue(view.get("log").toString().contains("leave:pb:KICKED"), view.toString());
    assertEquals(1, info(room).players());
    manualTime.timePasses(TICK);
    b.expectNoMessage(Duration.ofMillis(100)); // no more states for the kicked player
  }

  @Test
  void aGameThatKicksItsLastPlayerLetsTheRoomStopWhenIdle() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r29");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 1, "{\"kick\":\"pa\"}");
    manualTime.timePasses(TICK);
    a.expectMessageClass(RoomEvent.Left.class);
    assertStopsExactlyAfterIdleTimeout(room);
  }

  @Test
  void moreInputsThanAllowedInOneTickAreRateLimitedAndTheLimitResetsEachTick() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r30");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    int max = deps(SnapshotStore.NONE).settings().maxInputsPerTick();
    for (int i = 1; i <= max + 1; i++) input(room, "pa", i, "{\"n\":1}");
    RoomEvent.Error err = a.expectMessageClass(RoomEvent.Error.class);
    assertEquals(ErrorCode.RATE_LIMITED, err.code());
    assertTrue(err.message().contains("input " + (max + 1)), err.message());
    manualTime.timePasses(TICK);
    RoomEvent.State s = nextState(a);
    assertEquals(max, s.ack());
    assertEquals(max, json(s.state()).get("totals").get("pa").asInt());
    for (int i = 1; i <= max; i++) input(room, "pa", 100 + i, "{\"n\":1}");
    manualTime.timePasses(TICK);
    RoomEvent.State s2 = nextState(a); // a new tick, a new allowance: none refused
    assertEquals(100 + max, s2.ack());
  }

  @Test
  void anAssertionErrorInGameCodeEndsOnlyThatRoom() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r31");
    ActorRef<RoomEntity.Command> other = room("r32");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    other.tell(new RoomEntity.Join("pb", "bob", null, b.getRef()));
    b.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 1, "{\"assert\":true}");
    manualTime.timePasses(TICK);
    assertEquals("r31", fish(a, RoomEvent.Closed.class).roomId());
    a.expectTerminated(room, Duration.ofSeconds(3));
    assertEquals(1, info(other).players()); // the other room goes on
    nextState(b);
  }

  @Test
  void aCrashedRoomAnswersReJoinsRoomClosedInsteadOfAFreshGame() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r33", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", "other", a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 1, "{\"boom\":true}");
    manualTime.timePasses(TICK);
    fish(a, RoomEvent.Closed.class);
    // the member's session may see the room actor stop before it handles Closed, and re-attach at once:
    // whether its join reaches the stopping room or the next incarnation, it is told the room closed
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectTerminated(room, Duration.ofSeconds(3));
    ActorRef<RoomEntity.Command> next = room("r33", store);
    next.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Closed closed = fish(a, RoomEvent.Closed.class);
    assertEquals("r33", closed.roomId());
    TestProbe<RoomEvent> stranger = testKit.createTestProbe();
    next.tell(new RoomEntity.Join("pz", "zoe", null, stranger.getRef()));
    assertEquals(ErrorCode.ROOM_CLOSED, stranger.expectMessageClass(RoomEvent.Rejected.class).code());
    assertEquals(0, info(next).players()); // no ghost members, no game of another type
  }

  @Test
  void aTickOverItsBudgetIsCounted() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    // each reading of the clock is a quarter second later: every tick "takes" longer than its 100 ms period
    RoomEntity.Deps deps = deps(SnapshotStore.NONE, new dev.tickroom.metrics.Metrics(registry),
        () -> clock.addAndGet(250_000_000L));
    ActorRef<RoomEntity.Command> room = room("r34", deps);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    manualTime.timePasses(TICK);
    nextState(a);
    manualTime.timePasses(TICK);
    nextState(a);
    a.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(2.0, registry.counter("tickroom.tick.overruns", "game", "counter").count());
      return null;
    });
  }

  @Test
  void roomsRunOnTheirOwnDispatcher() {
    assertEquals(org.apache.pekko.actor.typed.DispatcherSelector.fromConfig(RoomEntity.DISPATCHER),
        RoomEntity.entity(deps(SnapshotStore.NONE)).entityProps());
    // the dispatcher is configured (a missing one would fail here, not when the first room starts)
    assertTrue(testKit.system().settings().config().hasPath(RoomEntity.DISPATCHER));
  }

  @Test
  void logsCarryTheRoomAndThePlayerInTheMdc() {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit.info("room r35 created with game counter")
        .withMdc(Map.of("room", "r35", "player", "pa"))
        .expect(testKit.system(), () -> {
          room("r35").tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
          return a.expectMessageClass(RoomEvent.Joined.class);
        });
  }

  @Test
  void inputsThatPiledUpWhileTheRoomMovedAreNotRateLimitedNorAcknowledged() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r36", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    input(room, "pa", 1, "{\"n\":1}");
    manualTime.timePasses(TICK);
    assertEquals(1, nextState(a).ack());
    room.tell(RoomEntity.Stop.INSTANCE);
    a.expectMessageClass(RoomEvent.Moving.class);
    a.expectTerminated(room, Duration.ofSeconds(3));

    ActorRef<RoomEntity.Command> moved = room("r36", store);
    int max = deps(store).settings().maxInputsPerTick();
    // what sharding buffered while the room moved arrives at once, before the session re-attaches
    for (int i = 2; i <= 2 + 3 * max; i++) input(moved, "pa", i, "{\"n\":1}");
    moved.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    RoomEvent.Joined joined = a.expectMessageClass(RoomEvent.Joined.class); // no rate_limited error before it
    assertEquals(1, json(joined.state()).get("totals").get("pa").asInt());
    manualTime.timePasses(TICK);
    RoomEvent.State s = nextState(a);
    assertEquals(1, s.ack()); // never applied, so never acknowledged
    input(moved, "pa", 100, "{\"n\":1}");
    manualTime.timePasses(TICK);
    assertEquals(100, nextState(a).ack()); // inputs after the re-attach apply as usual
  }

  // ------------------------------------------------------------------ merge patches only for who uses them

  /** What a room offers on a member's local line, deltas included. */
  static final class DeltaLine implements RoomEntity.LocalStates {
    final java.util.concurrent.BlockingQueue<RoomEvent.State> offered = new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void offer(String roomId, long tick, long ack, byte[] view) {
      offer(roomId, tick, ack, view, null);
    }

    @Override
    public void offer(String roomId, long tick, long ack, byte[] view, dev.tickroom.protocol.Delta delta) {
      offered.add(new RoomEvent.State(roomId, tick, ack, view, delta));
    }

    RoomEvent.State next() throws InterruptedException {
      RoomEvent.State s = offered.poll(5, java.util.concurrent.TimeUnit.SECONDS);
      if (s == null) throw new AssertionError("no state offered on the local line");
      return s;
    }
  }

  static RoomEntity.Join join(String player, String game, TestProbe<RoomEvent> session, boolean patch) {
    return new RoomEntity.Join(player, player, game, session.getRef(), null, null, null, patch);
  }

  /** The client's copy after {@code s}, given the copy it held: the full state, or its patch applied. */
  static JsonNode applied(JsonNode held, RoomEvent.State s) throws Exception {
    return dev.tickroom.protocol.MergePatch.apply(held, json(s.delta().patch()));
  }

  @Test
  void aRoomWhoseMembersAllSyncFullComputesNoPatchAndSendsNoDeltaAcrossTheNetwork() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r37");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(join("pa", "counter", a, false));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(join("pb", "counter", b, false));
    b.expectMessageClass(RoomEvent.Joined.class);
    DeltaLine line = new DeltaLine(); // pa's session is on the room's node; pb's is not (a probe)
    room.tell(new RoomEntity.AttachLocal("pa", a.getRef(), line));

    long version = 0;
    for (int i = 1; i <= 5; i++) {
      input(room, "pa", i, "{\"n\":" + i + "}");
      manualTime.timePasses(TICK);
      RoomEvent.State local = line.next();
      assertEquals(i, local.tick());
      // the view changed every tick, and still no patch was made: the delta only numbers the view
      assertEquals(null, local.delta().patch(), "tick " + i);
      assertEquals(0, local.delta().base(), "tick " + i);
      assertTrue(local.delta().version() != version && local.delta().version() != 0);
      version = local.delta().version();
      RoomEvent.State remote = nextState(b);
      assertEquals(i, remote.tick());
      assertEquals(null, remote.delta(), "a full member on another node gets the full state only");
      assertEquals(local.stateText(), remote.stateText());
    }
  }

  @Test
  void aPatchMemberWhoJoinsLaterGetsPatchesThatApplyToTheStateBeforeAndFullMembersStillNone() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r38");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> c = testKit.createTestProbe();
    room.tell(join("pa", "counter", a, false));
    a.expectMessageClass(RoomEvent.Joined.class);
    DeltaLine line = new DeltaLine();
    room.tell(new RoomEntity.AttachLocal("pa", a.getRef(), line));
    RoomEvent.State before = null;
    for (int i = 1; i <= 3; i++) {
      input(room, "pa", i, "{\"n\":1}");
      manualTime.timePasses(TICK);
      before = line.next();
      assertEquals(null, before.delta().patch());
    }

    room.tell(join("pc", "counter", c, true)); // on another node, sync patch
    c.expectMessageClass(RoomEvent.Joined.class);
    for (int i = 4; i <= 9; i++) {
      input(room, "pa", i, "{\"n\":1}");
      if (i == 6) input(room, "pc", 1, "{\"n\":5}");
      manualTime.timePasses(TICK);
      RoomEvent.State s = nextState(c);
      assertEquals(i, s.tick());
      if (i == 4) {
        // the line kept no view while it had no patch member: its first tick has nothing to patch from (the
        // patch member's connection sends that state in full in any case: it holds only the joined state)
        assertTrue(s.delta() != null && s.delta().patch() == null && s.delta().base() == 0, "tick 4");
        before = s;
        line.next();
        continue;
      }
      assertTrue(s.delta() != null && s.delta().patch() != null, "the patch member gets a patch at tick " + i);
      // from then on each patch turns the view of the tick before into this tick's
      assertEquals(before.delta().version(), s.delta().base(), "tick " + i);
      assertEquals(json(s.state()), applied(json(before.state()), s), "tick " + i);
      before = s;
      // the local full member is offered the same delta (shared); its connection sends the full state anyway
      RoomEvent.State local = line.next();
      assertEquals(s.delta().version(), local.delta().version());
      assertTrue(java.util.Arrays.equals(s.delta().patch(), local.delta().patch()));
    }

    // pc comes back on a full connection (a resume): it gets no delta, and no one needs a patch any more
    TestProbe<RoomEvent> c2 = testKit.createTestProbe();
    room.tell(join("pc", "counter", c2, false));
    c2.expectMessageClass(RoomEvent.Joined.class);
    manualTime.timePasses(TICK);
    assertEquals(null, nextState(c2).delta());
    assertEquals(null, line.next().delta().patch());
  }

  @Test
  void perMemberViewsArePatchedOnlyForTheMembersWhoTakePatches() throws Exception {
    ActorRef<RoomEntity.Command> room = room("r39");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    room.tell(join("pa", "own", a, true));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(join("pb", "own", b, false));
    b.expectMessageClass(RoomEvent.Joined.class);
    DeltaLine bLine = new DeltaLine();
    room.tell(new RoomEntity.AttachLocal("pb", b.getRef(), bLine));
    RoomEvent.State before = null;
    for (int i = 1; i <= 4; i++) {
      input(room, "pb", i, "{\"n\":" + i + "}");
      manualTime.timePasses(TICK);
      RoomEvent.State s = nextState(a);
      if (before != null) { // the first view on the line has nothing to be patched from
        assertTrue(s.delta() != null && s.delta().patch() != null, "pa's own line is patched at tick " + i);
        assertEquals(before.delta().version(), s.delta().base(), "tick " + i);
        assertEquals(json(s.state()), applied(json(before.state()), s), "tick " + i);
      }
      before = s;
      assertEquals(null, bLine.next().delta().patch(), "pb's own line is not, at tick " + i);
    }
  }
}
