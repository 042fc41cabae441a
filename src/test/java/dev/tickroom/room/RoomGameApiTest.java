package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.config.Settings;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The room actor with the v1.1 game API, on manual time: options, events, labels, typed inputs, finish, dispose. */
@Timeout(60)
class RoomGameApiTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load("application-test")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final Duration TICK = Duration.ofMillis(100);
  static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /** What the room published and removed, in order. */
  static final class Recorder implements RoomListings {
    final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

    @Override
    public void publish(RoomListing listing) {
      seen.add(listing);
    }

    @Override
    public void remove(RoomListing last, boolean ended) {
      seen.add((ended ? "ended " : "moved ") + last.room());
    }

    @Override
    public String node() {
      return "this-node";
    }

    /** The next thing published or removed that is not the same listing again. */
    Object next() throws InterruptedException {
      Object o = seen.poll(5, TimeUnit.SECONDS);
      if (o == null) throw new AssertionError("nothing published");
      return o;
    }

    RoomListing last() {
      RoomListing l = null;
      for (Object o : seen) if (o instanceof RoomListing r) l = r;
      return l;
    }
  }

  final BlockingQueue<String> disposed = new LinkedBlockingQueue<>();
  final Recorder listings = new Recorder();

  ActorRef<RoomEntity.Command> room(String id) {
    return room(id, SnapshotStore.NONE);
  }

  ActorRef<RoomEntity.Command> room(String id, SnapshotStore store) {
    Settings.Rooms rooms = Settings.from(testKit.system().settings().config()).rooms();
    Map<String, Game<?>> games = Map.of("events", new EventsGame(disposed::add));
    RoomEntity.Deps deps = new RoomEntity.Deps(rooms, new GameRegistry(games, "events"), store, Metrics.none(), listings);
    return testKit.spawn(RoomEntity.create(id, deps, null), id + "-" + ids.incrementAndGet());
  }

  static JsonNode json(String s) throws Exception {
    return Codec.MAPPER.readTree(s);
  }

  static JsonNode json(byte[] b) throws Exception {
    return Codec.MAPPER.readTree(b);
  }

  static void input(ActorRef<RoomEntity.Command> room, String player, long seq, String data) throws Exception {
    room.tell(new RoomEntity.Input(player, seq, json(data)));
  }

  /** ann creates the room with options and the label {mode: duo}, then bob joins with his title. */
  ActorRef<RoomEntity.Command> annAndBob(String id, TestProbe<RoomEvent> a, TestProbe<RoomEvent> b) throws Exception {
    ActorRef<RoomEntity.Command> room = room(id);
    room.tell(new RoomEntity.Join("pa", "ann", "events", a.getRef(), null, json("{\"greeting\":\"hi\",\"title\":\"dr\"}"),
        Map.of("mode", "duo")));
    a.expectMessageClass(RoomEvent.Joined.class);
    assertEquals("welcome", a.expectMessageClass(RoomEvent.GameEvent.class).name(), "an event at join comes after joined");
    room.tell(new RoomEntity.Join("pb", "bob", "events", b.getRef(), null, json("{\"title\":\"sir\"}"), Map.of("mode", "other")));
    b.expectMessageClass(RoomEvent.Joined.class);
    assertEquals("welcome", b.expectMessageClass(RoomEvent.GameEvent.class).name());
    return room;
  }

  @Test
  void optionsReachCreateAdmitAndJoin() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = annAndBob("opts", a, b);
    TestProbe<RoomEvent> c = testKit.createTestProbe();
    room.tell(new RoomEntity.Join("pc", "cid", null, c.getRef(), null, json("{\"deny\":true}"), null));
    RoomEvent.Rejected no = c.expectMessageClass(RoomEvent.Rejected.class);
    assertEquals("denied", no.code());
    manualTime.timePasses(TICK);
    JsonNode view = json(a.expectMessageClass(RoomEvent.State.class).state());
    assertEquals("hi", view.get("greeting").asText(), "create got the first join's options");
    assertEquals("{\"pa\":\"dr\",\"pb\":\"sir\"}", view.get("titles").toString(), "join got each player's options");
  }

  @Test
  void eventsGoToEveryMemberOrToOneAfterTheTicksState() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = annAndBob("ev", a, b);
    input(room, "pa", 1, "{\"op\":\"shout\",\"arg\":\"hello\"}");
    input(room, "pb", 1, "{\"op\":\"whisper\",\"arg\":\"psst\"}");
    manualTime.timePasses(TICK);
    RoomEvent.GameEvent shoutA = a.expectMessageClass(RoomEvent.GameEvent.class);
    assertEquals("shout", shoutA.name());
    assertEquals(json("{\"from\":\"pa\",\"text\":\"hello\"}"), json(shoutA.data()));
    a.expectMessageClass(RoomEvent.State.class);
    a.expectNoMessage(Duration.ofMillis(100)); // the whisper was for bob only
    assertEquals("shout", b.expectMessageClass(RoomEvent.GameEvent.class).name());
    RoomEvent.GameEvent whisper = b.expectMessageClass(RoomEvent.GameEvent.class);
    assertEquals("whisper", whisper.name());
    assertEquals("\"psst\"", new String(whisper.data()));
  }

  @Test
  void inputThatDoesNotFitTheTypeIsAnsweredWithBadInputAndNeverReachesTheGame() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = annAndBob("typed", a, b);
    input(room, "pa", 1, "{\"op\":\"dance\",\"arg\":\"x\"}");
    RoomEvent.Error err = a.expectMessageClass(RoomEvent.Error.class);
    assertEquals(ErrorCode.BAD_INPUT, err.code());
    assertTrue(err.message().contains("unknown op dance"), err.message());
    input(room, "pa", 2, "{\"op\":\"shout\"}");
    assertTrue(a.expectMessageClass(RoomEvent.Error.class).message().contains("arg"));
    manualTime.timePasses(TICK);
    RoomEvent.State s = a.expectMessageClass(RoomEvent.State.class);
    assertEquals(-1, s.ack(), "no input was applied");
    b.expectMessageClass(RoomEvent.State.class);
    b.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void theLabelStartsAsTheCreatingFilterAndTheGameUpdatesItWithTheMembers() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = annAndBob("lab", a, b);
    RoomListing first = (RoomListing) listings.next();
    assertEquals(List.of("pa"), first.members());
    assertEquals(Map.of("mode", "duo"), first.label(), "bob's label is not used: the room existed");
    assertEquals("this-node", first.node());
    assertEquals(Map.of("mode", "duo"), first.filter(), "the filter that opened the room names its matchmaker");
    assertEquals(3, first.maxPlayers());
    assertEquals(List.of("pa", "pb"), ((RoomListing) listings.next()).members());
    input(room, "pa", 1, "{\"op\":\"label\",\"arg\":\"gold\"}");
    manualTime.timePasses(TICK);
    RoomListing labelled = (RoomListing) listings.next();
    assertEquals(Map.of("mode", "duo", "tier", "gold"), labelled.label());
    b.expectMessageClass(RoomEvent.State.class);
    room.tell(new RoomEntity.Leave("pb", b.getRef()));
    b.expectMessageClass(RoomEvent.Left.class);
    assertEquals(List.of("pa"), ((RoomListing) listings.next()).members());
  }

  @Test
  void aRoomThatMovedKeepsItsLabelAndTheFilterThatOpenedIt() throws Exception {
    RoomEntityTest.MemoryStore store = new RoomEntityTest.MemoryStore();
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = room("moves", store);
    room.tell(new RoomEntity.Join("pa", "ann", "events", a.getRef(), null, null, Map.of("mode", "duo")));
    a.expectMessageClass(RoomEvent.Joined.class);
    a.expectMessageClass(RoomEvent.GameEvent.class); // the game's welcome
    input(room, "pa", 1, "{\"op\":\"label\",\"arg\":\"gold\"}");
    manualTime.timePasses(TICK);
    a.expectMessageClass(RoomEvent.State.class);
    room.tell(RoomEntity.Stop.INSTANCE); // hand-off: the snapshot is written before the room stops
    a.expectTerminated(room, Duration.ofSeconds(3));
    listings.seen.clear();

    room("moves", store); // the next incarnation, on another node as far as the room can tell
    RoomListing restored = null;
    while (restored == null) if (listings.next() instanceof RoomListing l) restored = l;
    assertEquals(Map.of("mode", "duo", "tier", "gold"), restored.label(), "the label the game had set");
    assertEquals(Map.of("mode", "duo"), restored.filter(), "still linked to the matchmaker that opened it");
  }

  @Test
  void finishSendsTheFinalStateThenTheResultToEveryMemberDisposesAndEndsTheRoom() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    TestProbe<RoomEvent> b = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = annAndBob("fin", a, b);
    input(room, "pb", 1, "{\"op\":\"finish\",\"arg\":\"pb\"}");
    manualTime.timePasses(TICK);
    for (TestProbe<RoomEvent> p : List.of(a, b)) {
      RoomEvent.State last = p.expectMessageClass(RoomEvent.State.class);
      assertEquals(1, last.tick());
      RoomEvent.Finished f = p.expectMessageClass(RoomEvent.Finished.class);
      assertEquals("fin", f.roomId());
      assertEquals("{\"winner\":\"pb\"}", new String(f.result()));
    }
    assertEquals("disposed at tick 1", disposed.poll(5, TimeUnit.SECONDS));
    a.expectTerminated(room);
    manualTime.timePasses(TICK);
    a.expectNoMessage(Duration.ofMillis(50)); // no state after the end
    Object o;
    do {
      o = listings.next();
    } while (o instanceof RoomListing);
    assertEquals("ended fin", o, "the finished room leaves the lobby and tells its matchmaker");
  }

  @Test
  void anEmptyRoomThatTimesOutIsDisposedToo() throws Exception {
    TestProbe<RoomEvent> a = testKit.createTestProbe();
    ActorRef<RoomEntity.Command> room = room("idle");
    room.tell(new RoomEntity.Join("pa", "ann", "events", a.getRef()));
    a.expectMessageClass(RoomEvent.Joined.class);
    a.expectMessageClass(RoomEvent.GameEvent.class);
    room.tell(new RoomEntity.Leave("pa", a.getRef()));
    a.expectMessageClass(RoomEvent.Left.class);
    manualTime.timePasses(Settings.from(testKit.system().settings().config()).rooms().idleTimeout().plus(TICK));
    a.expectTerminated(room);
    assertTrue(disposed.poll(5, TimeUnit.SECONDS).startsWith("disposed"));
  }
}
