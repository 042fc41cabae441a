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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
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

  /** A snapshot store in memory, as the cluster's replicated one behaves on one node. */
  static final class MemoryStore implements SnapshotStore {
    final Map<String, RoomSnapshot> snapshots = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
      return CompletableFuture.completedFuture(Optional.ofNullable(snapshots.get(roomId)));
    }

    @Override
    public void save(RoomSnapshot snapshot) {
      snapshots.put(snapshot.roomId(), snapshot);
    }

    @Override
    public void remove(String roomId) {
      snapshots.remove(roomId);
    }
  }

  static RoomEntity.Deps deps(SnapshotStore store) {
    Settings.Rooms rooms = Settings.from(testKit.system().settings().config()).rooms();
    Map<String, Game<?>> games = Map.of("counter", new CounterGame(), "other", new CounterGame("other", 3));
    return new RoomEntity.Deps(rooms, new GameRegistry(games, "counter"), store, dev.tickroom.metrics.Metrics.none());
  }

  static ActorRef<RoomEntity.Command> room(String id, SnapshotStore store) {
    return testKit.spawn(RoomEntity.create(id, deps(store), null), id + "-" + ids.incrementAndGet());
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
  void anEmptyRoomStopsAfterTheIdleTimeout() {
    ActorRef<RoomEntity.Command> room = room("r8");
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Leave("pa", a.getRef()));
    a.fishForMessage(Duration.ofSeconds(3), m -> m instanceof RoomEvent.Left
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    TestProbe<Object> watcher = testKit.createTestProbe();
    Duration idle = deps(SnapshotStore.NONE).settings().idleTimeout();
    manualTime.timePasses(idle.minusSeconds(1));
    manualTime.expectNoMessageFor(Duration.ofMillis(10), watcher);
    manualTime.timePasses(Duration.ofSeconds(2));
    watcher.expectTerminated(room, Duration.ofSeconds(3));
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

  @Test
  void aRoomHandedOffResumesFromItsSnapshotWithMembersAndTicks() throws Exception {
    MemoryStore store = new MemoryStore();
    ActorRef<RoomEntity.Command> room = room("r11", store);
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pa", "ann", null, a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    room.tell(new RoomEntity.Input("pa", 1, Codec.MAPPER.readTree("{\"n\":7}")));
    manualTime.timePasses(TICK);
    manualTime.timePasses(TICK);
    nextState(a);
    assertEquals(2, nextState(a).tick());
    room.tell(RoomEntity.Stop.INSTANCE); // what sharding sends at handoff
    a.expectTerminated(room, Duration.ofSeconds(3));
    assertEquals(2, store.snapshots.get("r11").tick());

    ActorRef<RoomEntity.Command> moved = room("r11", store);
    TestProbe<RoomEntity.Info> info = testKit.createTestProbe();
    moved.tell(new RoomEntity.GetInfo(info.getRef()));
    RoomEntity.Info i = info.expectMessageClass(RoomEntity.Info.class);
    assertEquals(1, i.players());
    assertEquals(2, i.tick());
    manualTime.timePasses(TICK);
    RoomEvent.State s = nextState(a); // the member gets states without rejoining
    assertEquals(3, s.tick());
    assertEquals(1, s.ack());
    assertEquals(7, json(s.state()).get("totals").get("pa").asInt());
  }
}
