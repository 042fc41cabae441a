package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.config.Settings;
import dev.tickroom.matchmaking.Matchmaker;
import dev.tickroom.matchmaking.Matchmaking;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.RoomEvent;
import dev.tickroom.room.RoomListing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A session's quick join and room list against a scripted matchmaker: refusals are retried unseen. */
@Timeout(60)
class QuickJoinSessionTest {
  static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load("application-test")));
  static final Settings settings = Settings.from(testKit.system().settings().config());

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /** Hands out rooms from a script and records what the session told it. */
  static final class ScriptedMatchmaking implements Matchmaking {
    final List<String> script;
    final List<List<String>> avoids = new ArrayList<>();
    final List<String> refused = new ArrayList<>();
    List<RoomListing> lobby = List.of();
    /** When set, answers wait until the test completes this future's successor in {@link #held}. */
    boolean hold;
    final LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

    ScriptedMatchmaking(String... rooms) {
      script = new ArrayList<>(List.of(rooms));
    }

    @Override
    public synchronized CompletionStage<Matchmaker.Found> find(String game, Map<String, Object> filter, String player, List<String> avoid) {
      avoids.add(List.copyOf(avoid));
      Matchmaker.Found found = new Matchmaker.Found(script.remove(0), true, filter);
      if (!hold) return CompletableFuture.completedFuture(found);
      CompletableFuture<Matchmaker.Found> later = new CompletableFuture<>();
      held.add(() -> later.complete(found));
      return later;
    }

    @Override
    public synchronized void refused(String game, Map<String, Object> filter, String player, String room, boolean full) {
      refused.add(room + (full ? ":full" : ":other"));
    }

    @Override
    public CompletionStage<List<RoomListing>> list(String game) {
      return CompletableFuture.completedFuture(lobby);
    }
  }

  final PlayerSessionTest.RecordingConnection conn = new PlayerSessionTest.RecordingConnection();
  final TestProbe<PlayerSession.Ack> acks = testKit.createTestProbe();
  final TestProbe<RoomEntity.Command> rooms = testKit.createTestProbe();

  ActorRef<PlayerSession.Command> session(Matchmaking mm) {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    PlayerSession.Deps deps = new PlayerSession.Deps(settings, () -> "node-1", PlayerSessionTest.handshake(directory, millis),
        directory, new SessionRegistry(), dev.tickroom.metrics.Metrics.none(), id -> rooms.getRef(),
        new AtomicLong()::get, millis::get, mm);
    return testKit.spawn(PlayerSession.create(deps, conn));
  }

  void send(ActorRef<PlayerSession.Command> s, String line) {
    s.tell(new PlayerSession.FromClient(acks.getRef(), Codec.decode(line.getBytes(StandardCharsets.UTF_8))));
    acks.expectMessage(PlayerSession.Ack.INSTANCE);
  }

  /** The next message to a room, past the attach of the local state line (the rooms here are local). */
  <T> T toRoom(Class<T> type) {
    RoomEntity.Command m;
    do {
      m = rooms.receiveMessage();
    } while (m instanceof RoomEntity.AttachLocal);
    return assertInstanceOf(type, m);
  }

  ServerMessage next() throws InterruptedException {
    ServerMessage m = conn.sent.poll(3, TimeUnit.SECONDS);
    if (m == null) throw new AssertionError("nothing sent");
    return m;
  }

  @Test
  void roomsThatRefuseAreRetriedElsewhereAndTheClientSeesOnlyJoined() throws Exception {
    ScriptedMatchmaking mm = new ScriptedMatchmaking("full-room", "picky-room", "good-room");
    ActorRef<PlayerSession.Command> s = session(mm);
    send(s, "{\"type\":\"hello\",\"name\":\"ann\"}");
    assertInstanceOf(ServerMessage.Welcome.class, next());
    send(s, "{\"type\":\"quick_join\",\"game\":\"dash\",\"filter\":{\"mode\":\"duo\"},\"options\":{\"color\":\"#123456\"}}");

    RoomEntity.Join first = rooms.expectMessageClass(RoomEntity.Join.class);
    assertEquals(Map.of("mode", "duo"), first.label());
    assertEquals("#123456", first.options().get("color").asText());
    first.replyTo().tell(new RoomEvent.Rejected("full-room", ErrorCode.ROOM_FULL, "full"));
    RoomEntity.Join second = rooms.expectMessageClass(RoomEntity.Join.class);
    second.replyTo().tell(new RoomEvent.Rejected("picky-room", "bad_options", "no"));
    RoomEntity.Join third = rooms.expectMessageClass(RoomEntity.Join.class);
    third.replyTo().tell(new RoomEvent.Joined("good-room", "dash", third.player(), 0, "{}".getBytes(), rooms.getRef()));

    ServerMessage.Joined joined = assertInstanceOf(ServerMessage.Joined.class, next());
    assertEquals("good-room", joined.room());
    assertNull(conn.sent.poll(200, TimeUnit.MILLISECONDS), "no error for the refusals on the way");
    assertEquals(List.of(List.of(), List.of("full-room"), List.of("full-room", "picky-room")), mm.avoids);
    assertEquals(List.of("full-room:full", "picky-room:other"), mm.refused);
  }

  @Test
  void aQuickJoinFromARoomLeavesItAndAnInputSentRightAfterGoesToTheNewRoom() throws Exception {
    ScriptedMatchmaking mm = new ScriptedMatchmaking("new-room");
    mm.hold = true;
    ActorRef<PlayerSession.Command> s = session(mm);
    send(s, "{\"type\":\"hello\",\"name\":\"ann\"}");
    next();
    send(s, "{\"type\":\"join\",\"room\":\"old-room\",\"game\":\"dash\"}");
    RoomEntity.Join old = rooms.expectMessageClass(RoomEntity.Join.class);
    old.replyTo().tell(new RoomEvent.Joined("old-room", "dash", old.player(), 0, "{}".getBytes(), rooms.getRef()));
    assertEquals("old-room", assertInstanceOf(ServerMessage.Joined.class, next()).room());

    send(s, "{\"type\":\"quick_join\",\"game\":\"dash\"}");
    send(s, "{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
    mm.held.poll(3, TimeUnit.SECONDS).run(); // the matchmaker answers after the input arrived
    RoomEntity.Leave leave = toRoom(RoomEntity.Leave.class);
    RoomEntity.Join join = toRoom(RoomEntity.Join.class);
    leave.replyTo().tell(new RoomEvent.Left("old-room"));
    join.replyTo().tell(new RoomEvent.Joined("new-room", "dash", join.player(), 0, "{}".getBytes(), rooms.getRef()));
    assertEquals("old-room", assertInstanceOf(ServerMessage.Left.class, next()).room());
    assertEquals("new-room", assertInstanceOf(ServerMessage.Joined.class, next()).room());
    RoomEntity.Input input = toRoom(RoomEntity.Input.class);
    assertEquals(1, input.seq(), "the input waited for the quick join and went to the new room");
  }

  @Test
  void afterFiveRefusalsTheClientGetsTheLastOne() throws Exception {
    ScriptedMatchmaking mm = new ScriptedMatchmaking("r1", "r2", "r3", "r4", "r5", "r6");
    ActorRef<PlayerSession.Command> s = session(mm);
    send(s, "{\"type\":\"hello\",\"name\":\"ann\"}");
    next();
    send(s, "{\"type\":\"quick_join\",\"game\":\"dash\"}");
    for (int i = 1; i <= 5; i++) {
      RoomEntity.Join j = rooms.expectMessageClass(RoomEntity.Join.class);
      j.replyTo().tell(new RoomEvent.Rejected("r" + i, ErrorCode.ROOM_FULL, "full " + i));
    }
    ServerMessage.Error e = assertInstanceOf(ServerMessage.Error.class, next());
    assertEquals(ErrorCode.ROOM_FULL, e.code());
    assertEquals("full 5", e.message());
  }

  @Test
  void unknownGamesAreRefusedAndTheRoomListIsAnswered() throws Exception {
    ScriptedMatchmaking mm = new ScriptedMatchmaking();
    mm.lobby = List.of(new RoomListing("a", "dash", List.of("p1", "p2"), 8, Map.of("phase", "racing"), "n"));
    ActorRef<PlayerSession.Command> s = session(mm);
    send(s, "{\"type\":\"hello\",\"name\":\"ann\"}");
    next();
    send(s, "{\"type\":\"quick_join\",\"game\":\"nope\"}");
    assertEquals(ErrorCode.BAD_REQUEST, assertInstanceOf(ServerMessage.Error.class, next()).code());
    send(s, "{\"type\":\"list_rooms\"}");
    ServerMessage.Rooms list = assertInstanceOf(ServerMessage.Rooms.class, next());
    assertEquals(List.of(new ServerMessage.RoomListing("a", "dash", 2, 8, Map.of("phase", "racing"))), list.rooms());
  }

  @Test
  void eventsAndAFinishedGameReachTheClient() throws Exception {
    ActorRef<PlayerSession.Command> s = session(new ScriptedMatchmaking());
    send(s, "{\"type\":\"hello\",\"name\":\"ann\"}");
    next();
    send(s, "{\"type\":\"join\",\"room\":\"r\",\"game\":\"dash\",\"options\":{\"rounds\":1}}");
    RoomEntity.Join j = rooms.expectMessageClass(RoomEntity.Join.class);
    assertEquals(1, j.options().get("rounds").asInt());
    j.replyTo().tell(new RoomEvent.Joined("r", "dash", j.player(), 0, "{}".getBytes(), rooms.getRef()));
    assertInstanceOf(ServerMessage.Joined.class, next());
    j.replyTo().tell(new RoomEvent.GameEvent("r", "countdown", "{\"seconds\":3}".getBytes()));
    ServerMessage.Event ev = assertInstanceOf(ServerMessage.Event.class, next());
    assertEquals("countdown", ev.name());
    j.replyTo().tell(new RoomEvent.Finished("r", "{\"winner\":null}".getBytes()));
    ServerMessage.Left left = assertInstanceOf(ServerMessage.Left.class, next());
    assertEquals("finished", left.reason());
    assertEquals("{\"winner\":null}", new String(left.resultJson()));
    send(s, "{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
    assertEquals(ErrorCode.NOT_IN_ROOM, assertInstanceOf(ServerMessage.Error.class, next()).code());
  }
}
