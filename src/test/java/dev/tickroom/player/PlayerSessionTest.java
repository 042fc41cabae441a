package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PlayerSessionTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load("application-test")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final Settings base = Settings.from(testKit.system().settings().config());
  static final Duration NONE = Duration.ofMillis(100);

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /** The test settings with another rate limit: messages per second, burst, strikes allowed in 5 s. */
  static Settings withRateLimit(double perSecond, int burst, int strikes) {
    Settings.Limits l = base.limits();
    Settings.Limits limits = new Settings.Limits(l.maxFrameBytes(), perSecond, burst, strikes, Duration.ofSeconds(5),
        l.outboundQueue(), 0, l.helloTimeout());
    return new Settings(base.nodeName(), base.gameHost(), base.gamePort(), base.gameAdvertised(),
        base.httpHost(), base.httpPort(), limits, base.rooms(), base.games(), base.auth(), base.askTimeout());
  }

  /** A connection that records what the session sends. */
  static final class RecordingConnection implements Connection {
    final LinkedBlockingQueue<ServerMessage> sent = new LinkedBlockingQueue<>();
    volatile boolean closed;

    @Override
    public boolean send(ServerMessage message) {
      return sent.add(message);
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void abort(String reason) {
      closed = true;
    }

    @Override
    public String describe() {
      return "test";
    }
  }

  /** Stands in for the shard regions: one probe per room id, so a test sees which room each message went to. */
  static final class Rooms {
    final Map<String, TestProbe<RoomEntity.Command>> probes = new ConcurrentHashMap<>();

    TestProbe<RoomEntity.Command> get(String id) {
      return probes.computeIfAbsent(id, k -> testKit.createTestProbe());
    }
  }

  /** Keys made for this run: no secret that is written anywhere signs these tokens. */
  static final ResumeTokens TOKENS = new ResumeTokens(ResumeTokens.Key.current("test", ResumeTokens.newSecret()));

  /** The hello of a node without an authenticator, with the test's directory and clock. */
  static Handshake handshake(PlayerDirectory directory, AtomicLong millis) {
    return new Handshake(java.util.Optional.empty(), Duration.ofSeconds(3),
        () -> java.util.concurrent.CompletableFuture.completedFuture(TOKENS), Duration.ofSeconds(3), directory,
        new FailedHellos(1, 1000, 100, System::nanoTime), base.rooms().resumeGrace(), millis::get, () -> "node-1",
        dev.tickroom.protocol.Features.supported());
  }

  /** One session with its fake connection, the rooms it reaches through "sharding", and clocks the test moves. */
  static final class Client {
    final RecordingConnection conn = new RecordingConnection();
    final TestProbe<PlayerSession.Ack> acks = testKit.createTestProbe();
    final Rooms rooms;
    final ActorRef<PlayerSession.Command> session;
    final InputShortcut inputs;
    String player;
    /** The direct line for states from the last join. */
    RoomEntity.AttachLocal line;

    Client(Settings settings, Rooms rooms, PlayerDirectory directory, AtomicLong millis, AtomicLong nanos) {
      this.rooms = rooms;
      PlayerSession.Deps deps = new PlayerSession.Deps(settings, () -> "node-1", handshake(directory, millis),
          directory, new SessionRegistry(), dev.tickroom.metrics.Metrics.none(), id -> rooms.get(id).getRef(), nanos::get, millis::get);
      inputs = PlayerSession.inputShortcut(deps);
      session = testKit.spawn(PlayerSession.create(deps, conn, inputs));
    }

    Client() {
      this(base, new Rooms(), new PlayerDirectory.Local(60_000), new AtomicLong(1_000_000), new AtomicLong());
    }

    /** The room {@code id} as sharding reaches it. */
    TestProbe<RoomEntity.Command> room(String id) {
      return rooms.get(id);
    }

    /** What the connection's stream does with a line: the input shortcut first, else the session, which acknowledges it. */
    void send(String json) {
      send(line(json));
    }

    void send(Decoded d) {
      if (!inputs.offer(d)) toSession(d);
    }

    /** A line the test has already offered to the shortcut, which declined it. */
    void toSession(Decoded d) {
      session.tell(new PlayerSession.FromClient(acks.getRef(), d));
      acks.expectMessage(PlayerSession.Ack.INSTANCE);
    }

    /** Lines sent back to back: the stream offers each to the shortcut and passes them on without waiting for the session. */
    void sendAll(String... json) {
      int toSession = 0;
      for (String j : json) {
        Decoded d = line(j);
        if (!inputs.offer(d)) {
          session.tell(new PlayerSession.FromClient(acks.getRef(), d));
          toSession++;
        }
      }
      acks.receiveSeveralMessages(toSession);
    }

    ServerMessage next() {
      try {
        ServerMessage m = conn.sent.poll(3, TimeUnit.SECONDS);
        if (m == null) throw new AssertionError("no message from the session within 3 s");
        return m;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    <T extends ServerMessage> T next(Class<T> type) {
      return assertInstanceOf(type, next());
    }

    /** A ping's pong is the next message: nothing else was sent before it. */
    void nothingBeforePong() {
      send("{\"type\":\"ping\",\"t\":\"mark\"}");
      assertEquals("\"mark\"", next(ServerMessage.Pong.class).t());
    }

    /** The session closes right after it queued its last message; wait for that. */
    void awaitClosed() {
      acks.awaitAssert(Duration.ofSeconds(3), () -> {
        assertTrue(conn.closed, "connection closed");
        return null;
      });
    }

    String error() {
      return next(ServerMessage.Error.class).code();
    }

    ServerMessage.Welcome hello() {
      send("{\"type\":\"hello\",\"name\":\"ann\"}");
      ServerMessage.Welcome w = next(ServerMessage.Welcome.class);
      player = w.player();
      return w;
    }

    ActorRef<RoomEvent> join(String roomId) {
      return join(roomId, "arena", testKit.createTestProbe());
    }

    /** Joins {@code roomId}; its actor is {@code actor}. Returns the session's address for room events. */
    ActorRef<RoomEvent> join(String roomId, String game, TestProbe<RoomEntity.Command> actor) {
      send("{\"type\":\"join\",\"room\":\"" + roomId + "\",\"game\":\"" + game + "\"}");
      RoomEntity.Join join = room(roomId).expectMessageClass(RoomEntity.Join.class);
      assertEquals(player, join.player());
      assertEquals(game, join.game());
      join.replyTo().tell(new RoomEvent.Joined(roomId, game, join.player(), 5, "{}".getBytes(), actor.getRef()));
      ServerMessage.Joined joined = next(ServerMessage.Joined.class);
      assertEquals(roomId, joined.room());
      assertEquals(5, joined.tick());
      // the room is local (a probe here), so the session hands it a direct line for states
      line = actor.expectMessageClass(RoomEntity.AttachLocal.class);
      assertEquals(join.player(), line.player());
      assertEquals(join.replyTo(), line.session());
      return join.replyTo();
    }
  }

  static Decoded line(String json) {
    return Codec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  static String input(long seq) {
    return "{\"type\":\"input\",\"seq\":" + seq + ",\"data\":{\"dx\":1}}";
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void beforeHelloOnlyHelloIsAccepted() {
    Client c = new Client();
    c.send("{\"type\":\"ping\",\"t\":1}");
    assertEquals(ErrorCode.NOT_AUTHENTICATED, c.error());
    c.send("{\"type\":\"join\",\"room\":\"r\"}");
    assertEquals(ErrorCode.NOT_AUTHENTICATED, c.error());
    c.send("{\"type\":\"dance\"}");
    assertEquals(ErrorCode.NOT_AUTHENTICATED, c.error());
    c.send("{nope");
    assertEquals(ErrorCode.BAD_JSON, c.error());
    c.send("{\"type\":\"hello\",\"name\":\"\"}");
    assertEquals(ErrorCode.BAD_REQUEST, c.error());
    ServerMessage.Welcome w = c.hello();
    assertTrue(w.player().startsWith("p"));
    assertEquals("node-1", w.node());
    assertFalse(w.resume().isEmpty());
    assertEquals(List.of("resync", "patch", "cbor", "quick_join"), w.features());
    assertFalse(c.conn.closed);
    assertTrue(c.rooms.probes.isEmpty(), "no room was contacted");
  }

  @Test
  void withoutHelloInTimeTheConnectionIsClosedButNotBefore() {
    Client c = new Client();
    c.send("{\"type\":\"ping\",\"t\":1}"); // the session is running (its timer started) once it answered
    assertEquals(ErrorCode.NOT_AUTHENTICATED, c.error());
    Duration timeout = base.limits().helloTimeout();
    manualTime.timePasses(timeout.minusMillis(1));
    c.send("{\"type\":\"ping\",\"t\":2}");
    assertEquals(ErrorCode.NOT_AUTHENTICATED, c.error()); // still open and answering just before the timeout
    assertFalse(c.conn.closed);
    manualTime.timePasses(Duration.ofMillis(1));
    ServerMessage.Error e = c.next(ServerMessage.Error.class);
    assertEquals(ErrorCode.NOT_AUTHENTICATED, e.code());
    assertTrue(e.message().contains("no hello"), e.message());
    c.awaitClosed();

    Client said = new Client();
    said.hello();
    manualTime.timePasses(timeout.plusSeconds(1));
    said.nothingBeforePong(); // a session that said hello is not timed out
    assertFalse(said.conn.closed);
  }

  @Test
  void afterHelloEveryErrorCodeAnswersOneLineAndTheConnectionStays() {
    Client c = new Client();
    c.hello();
    c.send("{\"type\":\"hello\",\"name\":\"again\"}");
    assertEquals(ErrorCode.BAD_REQUEST, c.error());
    c.send("{\"type\":\"ping\",\"t\":1.50}");
    assertEquals("1.50", c.next(ServerMessage.Pong.class).t());
    c.send("{\"type\":\"dance\"}");
    assertEquals(ErrorCode.UNKNOWN_TYPE, c.error());
    c.send("{\"type\":\"join\",\"room\":\"no spaces\"}");
    assertEquals(ErrorCode.BAD_REQUEST, c.error());
    c.send("[]");
    assertEquals(ErrorCode.BAD_JSON, c.error());
    c.send(input(1));
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.send("{\"type\":\"leave\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.send("{\"type\":\"chat\",\"text\":\"hi\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    assertTrue(c.rooms.probes.isEmpty(), "no room was contacted");
    assertTrue(c.conn.sent.isEmpty());
    assertFalse(c.conn.closed);
  }

  @Test
  void inARoomTrafficFlowsBothWays() {
    Client c = new Client();
    String player = c.hello().player();
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("r1", "arena", actor);

    c.send(input(1));
    RoomEntity.Input in = actor.expectMessageClass(RoomEntity.Input.class);
    assertEquals(player, in.player());
    assertEquals(1, in.seq());
    c.send(input(1));
    assertEquals(ErrorCode.BAD_REQUEST, c.error()); // seq must increase
    actor.expectNoMessage(NONE);

    events.tell(new RoomEvent.State("r1", 6, 1, bytes("{\"x\":1}")));
    ServerMessage.State s = c.next(ServerMessage.State.class);
    assertEquals(6, s.tick());
    assertEquals(1, s.ack());
    events.tell(new RoomEvent.Error("r1", "not_your_turn", "wait"));
    assertEquals("not_your_turn", c.error());

    c.send("{\"type\":\"chat\",\"text\":\"gg\"}");
    assertEquals(new RoomEntity.Chat(player, "gg"), c.room("r1").expectMessageClass(RoomEntity.Chat.class));
    events.tell(new RoomEvent.Chat("r1", player, "gg"));
    assertEquals("gg", c.next(ServerMessage.Chat.class).text());

    c.send("{\"type\":\"leave\"}");
    RoomEntity.Leave leave = c.room("r1").expectMessageClass(RoomEntity.Leave.class);
    events.tell(new RoomEvent.State("r1", 7, 1, bytes("{}"))); // in flight: dropped
    leave.replyTo().tell(new RoomEvent.Left("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    c.send(input(2));
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
  }

  @Test
  void statesKeepTickOrderAcrossTheDirectLineAndTheSessionAndStopAtLeave() {
    Client c = new Client();
    c.hello();
    ActorRef<RoomEvent> events = c.join("r1");
    RoomEntity.LocalStates line = c.line.line();
    line.offer("r1", 5, 0, bytes("{}")); // not after the joined (tick 5): dropped
    line.offer("r1", 6, 0, bytes("{\"x\":6}"));
    assertEquals(6, c.next(ServerMessage.State.class).tick());
    // a state sent through the session before the room took the line is older: dropped, never shown after 6
    events.tell(new RoomEvent.State("r1", 5, 0, bytes("{}")));
    line.offer("r1", 7, 0, bytes("{}"));
    assertEquals(7, c.next(ServerMessage.State.class).tick());
    line.offer("other", 8, 0, bytes("{}"));

    c.send("{\"type\":\"leave\"}");
    RoomEntity.Leave leave = c.room("r1").expectMessageClass(RoomEntity.Leave.class);
    line.offer("r1", 9, 0, bytes("{}")); // the room has not seen the leave yet: nothing gets through now
    leave.replyTo().tell(new RoomEvent.Left("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    c.nothingBeforePong();
  }

  @Test
  void betweenTwoJoinedTicksStrictlyIncreaseAndAcksNeverDecrease() {
    Client c = new Client();
    c.hello();
    ActorRef<RoomEvent> events = c.join("r1"); // joined at tick 5
    events.tell(new RoomEvent.State("r1", 6, 2, bytes("{}")));
    events.tell(new RoomEvent.State("r1", 6, 3, bytes("{}"))); // the same tick again
    events.tell(new RoomEvent.State("r1", 7, 1, bytes("{}"))); // ack going back
    events.tell(new RoomEvent.State("r1", 8, 2, bytes("{}")));
    ServerMessage.State first = c.next(ServerMessage.State.class);
    assertEquals(List.of(6L, 2L), List.of(first.tick(), first.ack()));
    ServerMessage.State second = c.next(ServerMessage.State.class);
    assertEquals(List.of(8L, 2L), List.of(second.tick(), second.ack()));
    c.nothingBeforePong();
  }

  @Test
  void inputsTakeTheStreamShortcutOnlyWhileInARoomAndKeepSeqAndRateChecks() {
    Client c = new Client();
    String player = c.hello().player();
    Decoded first = line(input(1));
    assertFalse(c.inputs.offer(first), "not in a room yet");
    c.toSession(first); // so it goes to the session instead
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    c.join("r1", "arena", actor);
    assertTrue(c.inputs.offer(line(input(3))));
    RoomEntity.Input in = actor.expectMessageClass(RoomEntity.Input.class);
    assertEquals(player, in.player());
    assertEquals(3, in.seq());
    // what the shortcut declines goes to the session, which answers as always
    Decoded again = line(input(3));
    assertFalse(c.inputs.offer(again));
    c.toSession(again);
    assertEquals(ErrorCode.BAD_REQUEST, c.error()); // seq must increase, across both ways
    Decoded ping = line("{\"type\":\"ping\",\"t\":1}");
    assertFalse(c.inputs.offer(ping));
    // while the ping is on its way to the session, an input goes that way too, behind it
    Decoded four = line(input(4));
    assertFalse(c.inputs.offer(four));
    c.toSession(ping);
    c.next(ServerMessage.Pong.class);
    c.toSession(four); // the session's own way to the room actor
    assertEquals(4, actor.expectMessageClass(RoomEntity.Input.class).seq());
    assertTrue(c.inputs.offer(line(input(5))));
    assertEquals(5, actor.expectMessageClass(RoomEntity.Input.class).seq());

    // a leave given to the session: the input right behind it must not overtake it
    Decoded leave = line("{\"type\":\"leave\"}");
    Decoded six = line(input(6));
    assertFalse(c.inputs.offer(leave));
    assertFalse(c.inputs.offer(six));
    c.toSession(leave);
    c.room("r1").expectMessageClass(RoomEntity.Leave.class);
    c.toSession(six);
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    // and once the session has handled both, the shortcut stays closed: not in a room
    Decoded seven = line(input(7));
    assertFalse(c.inputs.offer(seven));
    c.toSession(seven);
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    actor.expectNoMessage(NONE);
  }

  @Test
  void theShortcutSpendsTheSameRateLimitAsTheSession() {
    Settings strict = withRateLimit(1, 3, 100);
    Client c = new Client(strict, new Rooms(), new PlayerDirectory.Local(60_000), new AtomicLong(1), new AtomicLong());
    c.hello(); // 1 of 3
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    c.join("r1", "arena", actor); // 2 of 3
    assertTrue(c.inputs.offer(line(input(1)))); // 3 of 3
    actor.expectMessageClass(RoomEntity.Input.class);
    Decoded two = line(input(2));
    assertFalse(c.inputs.offer(two), "no token left");
    c.toSession(two);
    assertEquals(ErrorCode.RATE_LIMITED, c.error());
  }

  @Test
  void helloJoinInputAndPingBackToBackTakeEffectInOrder() {
    Client c = new Client();
    c.sendAll("{\"type\":\"hello\",\"name\":\"ann\"}", "{\"type\":\"join\",\"room\":\"o1\",\"game\":\"arena\"}",
        input(1), "{\"type\":\"chat\",\"text\":\"hi\"}", "{\"type\":\"ping\",\"t\":7}");
    String player = c.next(ServerMessage.Welcome.class).player();
    assertEquals("7", c.next(ServerMessage.Pong.class).t()); // needs no room: may overtake joined
    RoomEntity.Join join = c.room("o1").expectMessageClass(RoomEntity.Join.class);
    c.room("o1").expectNoMessage(NONE); // the input and the chat wait for the room's answer
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    join.replyTo().tell(new RoomEvent.Joined("o1", "arena", player, 1, bytes("{}"), actor.getRef()));
    assertEquals("o1", c.next(ServerMessage.Joined.class).room());
    actor.expectMessageClass(RoomEntity.AttachLocal.class);
    assertEquals(1, actor.expectMessageClass(RoomEntity.Input.class).seq()); // applies to the room joined
    assertEquals("hi", c.room("o1").expectMessageClass(RoomEntity.Chat.class).text());
    c.nothingBeforePong(); // no not_in_room
    // and the shortcut opens once nothing waits at the session any more
    assertTrue(c.inputs.offer(line(input(2))));
    assertEquals(2, actor.expectMessageClass(RoomEntity.Input.class).seq());
  }

  @Test
  void linesThatWaitedForARefusedJoinAreAnsweredNotInRoomInOrder() {
    Client c = new Client();
    c.hello();
    c.sendAll("{\"type\":\"join\",\"room\":\"full\"}", input(1), "{\"type\":\"leave\"}",
        "{\"type\":\"join\",\"room\":\"next\"}", input(2));
    RoomEntity.Join join = c.room("full").expectMessageClass(RoomEntity.Join.class);
    join.replyTo().tell(new RoomEvent.Rejected("full", ErrorCode.ROOM_FULL, "full"));
    assertEquals(ErrorCode.ROOM_FULL, c.error());
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error()); // input 1
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error()); // the leave
    // the second join is sent only now; input 2 waits for it
    RoomEntity.Join next = c.room("next").expectMessageClass(RoomEntity.Join.class);
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    next.replyTo().tell(new RoomEvent.Joined("next", "arena", c.player, 1, bytes("{}"), actor.getRef()));
    assertEquals("next", c.next(ServerMessage.Joined.class).room());
    actor.expectMessageClass(RoomEntity.AttachLocal.class);
    assertEquals(2, actor.expectMessageClass(RoomEntity.Input.class).seq());
    c.room("full").expectNoMessage(NONE);
  }

  @Test
  void whileAJoinIsAnsweredOnlyABoundedNumberOfInputsWait() {
    Client c = new Client();
    c.hello();
    int limit = PlayerSession.deferLimit(base);
    String[] lines = new String[limit + 3];
    lines[0] = "{\"type\":\"join\",\"room\":\"b1\"}";
    for (int i = 1; i < lines.length; i++) lines[i] = input(i);
    c.sendAll(lines);
    assertEquals(ErrorCode.RATE_LIMITED, c.error());
    assertEquals(ErrorCode.RATE_LIMITED, c.error());
    RoomEntity.Join join = c.room("b1").expectMessageClass(RoomEntity.Join.class);
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    join.replyTo().tell(new RoomEvent.Joined("b1", "arena", c.player, 1, bytes("{}"), actor.getRef()));
    c.next(ServerMessage.Joined.class);
    actor.expectMessageClass(RoomEntity.AttachLocal.class);
    for (int i = 1; i <= limit; i++) assertEquals(i, actor.expectMessageClass(RoomEntity.Input.class).seq());
    actor.expectNoMessage(NONE);
  }

  @Test
  void aJoinThatGetsNoAnswerIsSentAgainThenGivenUp() {
    Client c = new Client();
    c.hello();
    c.send("{\"type\":\"join\",\"room\":\"lost\"}");
    TestProbe<RoomEntity.Command> lost = c.room("lost");
    RoomEntity.Join first = lost.expectMessageClass(RoomEntity.Join.class);
    lost.expectNoMessage(NONE);
    // lost on the way (e.g. the room's shard was moving): the session retries on its own
    manualTime.timePasses(PlayerSession.JOIN_RETRY);
    assertEquals(first, lost.expectMessageClass(RoomEntity.Join.class));
    for (int i = 2; i < Membership.JOIN_ATTEMPTS; i++) {
      manualTime.timePasses(PlayerSession.JOIN_RETRY);
      lost.expectMessageClass(RoomEntity.Join.class);
    }
    manualTime.timePasses(PlayerSession.JOIN_RETRY);
    assertEquals(ErrorCode.ROOM_UNAVAILABLE, c.error());
    c.send(input(1));
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    // an answer that comes after all: out of that room again, so it keeps no member no session speaks for
    first.replyTo().tell(new RoomEvent.Joined("lost", "arena", first.player(), 1, bytes("{}"), lost.getRef()));
    lost.expectMessageClass(RoomEntity.Leave.class);
    c.nothingBeforePong();
  }

  @Test
  void anAnsweredJoinIsNotSentAgain() {
    Client c = new Client();
    c.hello();
    c.join("once");
    manualTime.timePasses(Duration.ofSeconds(3));
    c.room("once").expectNoMessage(NONE);
  }

  @Test
  void joiningAnotherRoomLeavesTheFirst() {
    Client c = new Client();
    c.hello();
    c.join("a");
    c.send("{\"type\":\"join\",\"room\":\"b\"}");
    RoomEntity.Leave leave = c.room("a").expectMessageClass(RoomEntity.Leave.class);
    RoomEntity.Join join = c.room("b").expectMessageClass(RoomEntity.Join.class);
    leave.replyTo().tell(new RoomEvent.Left("a"));
    assertEquals("a", c.next(ServerMessage.Left.class).room());
    join.replyTo().tell(new RoomEvent.Rejected("b", ErrorCode.ROOM_FULL, "full"));
    assertEquals(ErrorCode.ROOM_FULL, c.error());
    c.send("{\"type\":\"chat\",\"text\":\"x\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.room("a").expectNoMessage(NONE);
  }

  @Test
  void aRefusedJoinOfTheRoomThePlayerIsInKeepsItThere() {
    Client c = new Client();
    c.hello();
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    c.join("r1", "arena", actor);
    c.send("{\"type\":\"join\",\"room\":\"r1\",\"game\":\"tictactoe\"}");
    RoomEntity.Join join = c.room("r1").expectMessageClass(RoomEntity.Join.class);
    join.replyTo().tell(new RoomEvent.Rejected("r1", ErrorCode.BAD_REQUEST, "room 'r1' plays arena"));
    assertEquals(ErrorCode.BAD_REQUEST, c.error());
    c.send(input(1));
    assertEquals(1, actor.expectMessageClass(RoomEntity.Input.class).seq());
    c.room("r1").expectNoMessage(NONE); // no leave
  }

  @Test
  void aKickSeenByTheSessionTakesThePlayerOutOfItsRoom() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    Client c = new Client(base, new Rooms(), directory, new AtomicLong(1_000), new AtomicLong());
    String player = c.hello().player();
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("k1", "arena", actor);
    assertEquals("k1", directory.get(player).toCompletableFuture().join().orElseThrow().room());
    events.tell(new RoomEvent.Left("k1")); // the game removed the player
    assertEquals("k1", c.next(ServerMessage.Left.class).room());
    c.line.line().offer("k1", 9, 0, bytes("{}")); // the room's direct line is closed
    events.tell(new RoomEvent.State("k1", 10, 0, bytes("{}")));
    c.nothingBeforePong();
    Decoded in = line(input(1));
    assertFalse(c.inputs.offer(in), "the shortcut is closed");
    c.toSession(in);
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    assertNull(directory.get(player).toCompletableFuture().join().orElseThrow().room());
    actor.expectNoMessage(NONE);
    c.room("k1").expectNoMessage(NONE); // nothing to leave: the room removed the player itself
  }

  @Test
  void whenTheRoomsActorStopsTheSessionJoinsAgainWithTheGameAndTheClientGetsJoinedBeforeAnyState() {
    Client c = new Client();
    c.hello();
    TestProbe<RoomEntity.Command> first = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("t1", "tictactoe", first);
    RoomEntity.LocalStates oldLine = c.line.line();
    c.send(input(1));
    first.expectMessageClass(RoomEntity.Input.class);
    oldLine.offer("t1", 40, 1, bytes("{}"));
    assertEquals(40, c.next(ServerMessage.State.class).tick());

    first.stop(); // the room's actor stopped: its node went away, or the room restarts
    RoomEntity.Join again = c.room("t1").expectMessageClass(RoomEntity.Join.class);
    assertEquals("tictactoe", again.game(), "re-attach names the room's game");
    // while it re-attaches: inputs wait without an error, states of the old line or the new room are dropped
    int limit = PlayerSession.deferLimit(base);
    for (int i = 2; i < 2 + limit + 5; i++) c.send(input(i));
    oldLine.offer("t1", 41, 1, bytes("{}"));
    events.tell(new RoomEvent.State("t1", 42, 1, bytes("{}")));
    c.nothingBeforePong(); // no rate_limited, no state

    TestProbe<RoomEntity.Command> second = testKit.createTestProbe();
    // restored from a snapshot older than what the client saw last
    again.replyTo().tell(new RoomEvent.Joined("t1", "tictactoe", again.player(), 30, bytes("{\"b\":1}"), second.getRef()));
    ServerMessage.Joined resync = c.next(ServerMessage.Joined.class);
    assertEquals("t1", resync.room());
    assertEquals(30, resync.tick());
    assertEquals("tictactoe", resync.game());
    RoomEntity.AttachLocal attach = second.expectMessageClass(RoomEntity.AttachLocal.class);
    for (int i = 2; i < 2 + limit; i++) assertEquals(i, second.expectMessageClass(RoomEntity.Input.class).seq());
    second.expectNoMessage(NONE); // the rest were dropped without a word: the client sees them unacknowledged
    events.tell(new RoomEvent.State("t1", 30, 0, bytes("{}"))); // not after the joined
    attach.line().offer("t1", 31, 0, bytes("{}"));
    assertEquals(31, c.next(ServerMessage.State.class).tick());
    c.nothingBeforePong();
    oldLine.offer("t1", 50, 1, bytes("{}")); // the old room's line stays closed
    c.nothingBeforePong();
  }

  @Test
  void aRoomThatComesBackOnAnotherActorAndSaysSoReSyncsTheClient() {
    Client c = new Client();
    c.hello();
    TestProbe<RoomEntity.Command> first = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("m1", "arena", first);
    events.tell(new RoomEvent.State("m1", 20, 0, bytes("{}")));
    assertEquals(20, c.next(ServerMessage.State.class).tick());
    // a second answer from the same actor (a join that was sent twice) changes nothing
    events.tell(new RoomEvent.Joined("m1", "arena", c.player, 6, bytes("{}"), first.getRef()));
    c.nothingBeforePong();
    TestProbe<RoomEntity.Command> moved = testKit.createTestProbe();
    events.tell(new RoomEvent.Joined("m1", "arena", c.player, 12, bytes("{}"), moved.getRef()));
    assertEquals(12, c.next(ServerMessage.Joined.class).tick());
    moved.expectMessageClass(RoomEntity.AttachLocal.class);
    events.tell(new RoomEvent.State("m1", 13, 0, bytes("{}")));
    assertEquals(13, c.next(ServerMessage.State.class).tick());
    c.send(input(1));
    assertEquals(1, moved.expectMessageClass(RoomEntity.Input.class).seq());
    first.stop(); // the old actor's end no longer concerns the session
    c.room("m1").expectNoMessage(NONE);
  }

  @Test
  void aRoomThatSaysItIsMovingIsJoinedAgainAtOnceWithoutWaitingForItsActorToStop() {
    Client c = new Client();
    c.hello();
    TestProbe<RoomEntity.Command> first = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("h1", "arena", first);
    events.tell(new RoomEvent.State("h1", 20, 0, bytes("{}")));
    assertEquals(20, c.next(ServerMessage.State.class).tick());
    events.tell(new RoomEvent.Moving("other-room")); // not this player's room: nothing happens
    c.room("h1").expectNoMessage(NONE);
    events.tell(new RoomEvent.Moving("h1")); // the room hands off; its actor still runs while it saves
    RoomEntity.Join again = c.room("h1").expectMessageClass(RoomEntity.Join.class);
    assertEquals("arena", again.game());
    events.tell(new RoomEvent.State("h1", 21, 0, bytes("{}"))); // the old incarnation's last state: dropped
    c.nothingBeforePong();
    first.stop(); // then it stops: no second re-join
    c.room("h1").expectNoMessage(NONE);
    TestProbe<RoomEntity.Command> second = testKit.createTestProbe();
    again.replyTo().tell(new RoomEvent.Joined("h1", "arena", again.player(), 21, bytes("{}"), second.getRef()));
    assertEquals(21, c.next(ServerMessage.Joined.class).tick());
  }

  @Test
  void aReAttachThatIsRefusedTellsTheClientItIsOut() {
    Client c = new Client();
    c.hello();
    TestProbe<RoomEntity.Command> first = testKit.createTestProbe();
    c.join("f1", "arena", first);
    first.stop();
    RoomEntity.Join again = c.room("f1").expectMessageClass(RoomEntity.Join.class);
    c.send(input(1));
    again.replyTo().tell(new RoomEvent.Rejected("f1", ErrorCode.ROOM_FULL, "full"));
    assertEquals("f1", c.next(ServerMessage.Left.class).room());
    assertEquals(ErrorCode.ROOM_FULL, c.error());
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error()); // the input that waited
  }

  @Test
  void floodsAreRateLimitedAndSustainedAbuseIsDisconnected() {
    Settings settings = withRateLimit(10, 5, 3);
    AtomicLong nanos = new AtomicLong();
    Client c = new Client(settings, new Rooms(), new PlayerDirectory.Local(1000), new AtomicLong(1), nanos);
    c.hello(); // 1 of the burst of 5
    for (int i = 0; i < 4; i++) {
      c.send("{\"type\":\"ping\",\"t\":" + i + "}");
      c.next(ServerMessage.Pong.class);
    }
    c.send("{\"type\":\"ping\",\"t\":9}");
    assertEquals(ErrorCode.RATE_LIMITED, c.error());
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // 10/s: one token back
    c.send("{\"type\":\"ping\",\"t\":10}");
    assertEquals("10", c.next(ServerMessage.Pong.class).t());
    for (int i = 0; i < 2; i++) { // strikes two and three: still allowed (3 strikes per window)
      c.send("{\"type\":\"ping\",\"t\":1}");
      assertEquals(ErrorCode.RATE_LIMITED, c.error());
    }
    assertFalse(c.conn.closed);
    c.send("{\"type\":\"ping\",\"t\":1}"); // fourth strike in the window
    ServerMessage.Error last = c.next(ServerMessage.Error.class);
    assertEquals(ErrorCode.RATE_LIMITED, last.code());
    c.awaitClosed();
  }

  @Test
  void aTooLargeFrameIsAnsweredThenTheConnectionCloses() {
    Client c = new Client();
    c.hello();
    c.send(new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "too large"));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, c.error());
    c.awaitClosed();
  }

  @Test
  void whenTheClientGoesTheRoomIsToldAndTheSessionStops() {
    Client c = new Client();
    String player = c.hello().player();
    c.join("r1");
    c.session.tell(new PlayerSession.ClientClosed("connection reset"));
    assertEquals(player, c.room("r1").expectMessageClass(RoomEntity.Disconnect.class).player());
    c.acks.expectTerminated(c.session, Duration.ofSeconds(3));
  }

  @Test
  void aResumeTokenBringsThePlayerBackToItsRoomWithinTheGracePeriod() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    Rooms rooms = new Rooms();
    Client first = new Client(base, rooms, directory, millis, new AtomicLong());
    ServerMessage.Welcome w = first.hello();
    first.join("r9");
    first.session.tell(new PlayerSession.ClientClosed("connection reset"));
    rooms.get("r9").expectMessageClass(RoomEntity.Disconnect.class);
    first.acks.expectTerminated(first.session, Duration.ofSeconds(3));

    millis.addAndGet(5_000);
    Client second = new Client(base, rooms, directory, millis, new AtomicLong());
    // the line right after the hello waits for the directory's answer, then joins the player's room
    second.sendAll("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w.resume() + "\"}", input(1));
    ServerMessage.Welcome again = second.next(ServerMessage.Welcome.class);
    assertEquals(w.player(), again.player());
    RoomEntity.Join rejoin = rooms.get("r9").expectMessageClass(RoomEntity.Join.class);
    assertEquals(w.player(), rejoin.player());
    assertNull(rejoin.game());
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    rejoin.replyTo().tell(new RoomEvent.Joined("r9", "arena", w.player(), 50, bytes("{}"), actor.getRef()));
    assertEquals("r9", second.next(ServerMessage.Joined.class).room());
    actor.expectMessageClass(RoomEntity.AttachLocal.class);
    assertEquals(1, actor.expectMessageClass(RoomEntity.Input.class).seq());
    PlayerDirectory.Entry entry = directory.get(w.player()).toCompletableFuture().join().orElseThrow();
    assertEquals(2, entry.generation());
  }

  @Test
  void aClosingSessionNeverUndoesTheEntryOfTheSessionThatResumedItsPlayer() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    Rooms rooms = new Rooms();
    Client old = new Client(base, rooms, directory, millis, new AtomicLong());
    ServerMessage.Welcome w = old.hello();
    old.join("d1");
    // the player resumes on a new connection before the old one has ended (e.g. right after reconnect)
    Client resumed = new Client(base, rooms, directory, millis, new AtomicLong());
    resumed.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w.resume() + "\"}");
    ServerMessage.Welcome w2 = resumed.next(ServerMessage.Welcome.class);
    assertEquals(w.player(), w2.player());
    RoomEntity.Join rejoin = rooms.get("d1").expectMessageClass(RoomEntity.Join.class);
    rejoin.replyTo().tell(new RoomEvent.Joined("d1", "arena", w.player(), 9, bytes("{}"), testKit.<RoomEntity.Command>createTestProbe().getRef()));
    resumed.next(ServerMessage.Joined.class);

    // only now does the old connection end, and its session writes its last entry
    millis.addAndGet(10);
    old.session.tell(new PlayerSession.ClientClosed("connection reset"));
    old.acks.expectTerminated(old.session, Duration.ofSeconds(3));
    PlayerDirectory.Entry entry = directory.get(w.player()).toCompletableFuture().join().orElseThrow();
    assertEquals(List.of("d1", 0L, 2L), List.of(entry.room(), entry.disconnectedAt(), entry.generation()), entry.toString());

    // so the player, still connected, can resume again with the newest token much later
    millis.addAndGet(base.rooms().resumeGrace().toMillis() * 10);
    Client third = new Client(base, rooms, directory, millis, new AtomicLong());
    third.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w2.resume() + "\"}");
    assertEquals(w.player(), third.next(ServerMessage.Welcome.class).player());
  }

  @Test
  void aSessionReplacedByAResumeClosesWithoutTouchingTheNewOne() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    Client c = new Client(base, new Rooms(), directory, new AtomicLong(1_000), new AtomicLong());
    String player = c.hello().player();
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    ActorRef<RoomEvent> events = c.join("r1", "arena", actor);
    events.tell(new RoomEvent.Replaced("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    assertEquals(ErrorCode.SESSION_REPLACED, c.error());
    c.awaitClosed();
    c.session.tell(new PlayerSession.ClientClosed("closed"));
    c.acks.expectTerminated(c.session, Duration.ofSeconds(3));
    c.room("r1").expectNoMessage(NONE); // no Disconnect: the room belongs to the new session
    PlayerDirectory.Entry entry = directory.get(player).toCompletableFuture().join().orElseThrow();
    assertEquals("r1", entry.room());
    assertEquals(0, entry.disconnectedAt());
  }

  @Test
  void forgedOrExpiredTokensGetBadRequestAndAFreshSession() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    Rooms rooms = new Rooms();
    Client first = new Client(base, rooms, directory, millis, new AtomicLong());
    ServerMessage.Welcome w = first.hello();
    first.session.tell(new PlayerSession.ClientClosed("gone"));
    first.acks.expectTerminated(first.session, Duration.ofSeconds(3));

    Client forged = new Client(base, rooms, directory, millis, new AtomicLong());
    String tampered = w.resume().substring(0, w.resume().length() - 2) + "xx";
    forged.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + tampered + "\"}");
    assertEquals(ErrorCode.BAD_REQUEST, forged.error());
    assertNotEquals(w.player(), forged.next(ServerMessage.Welcome.class).player());

    millis.addAndGet(base.rooms().resumeGrace().toMillis() + 1);
    Client late = new Client(base, rooms, directory, millis, new AtomicLong());
    late.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w.resume() + "\"}");
    assertEquals(ErrorCode.BAD_REQUEST, late.error());
    assertNotEquals(w.player(), late.next(ServerMessage.Welcome.class).player());
  }

  /**
   * The room learns from each join whether the member's connection takes merge patches (hello
   * {@code sync}), so that it computes and sends patches only for those who use them: the first join, its
   * retries, and the re-attach of a resumed session on a connection that chose another sync.
   */
  @Test
  void everyJoinTellsTheRoomTheConnectionsSync() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    Rooms rooms = new Rooms();
    Client full = new Client(base, rooms, directory, millis, new AtomicLong());
    full.hello();
    full.send("{\"type\":\"join\",\"room\":\"s1\"}");
    assertFalse(rooms.get("s1").expectMessageClass(RoomEntity.Join.class).patch(), "a full connection");

    Client patch = new Client(base, rooms, directory, millis, new AtomicLong());
    patch.send("{\"type\":\"hello\",\"name\":\"bob\",\"sync\":\"patch\"}");
    ServerMessage.Welcome w = patch.next(ServerMessage.Welcome.class);
    patch.send("{\"type\":\"join\",\"room\":\"s2\"}");
    RoomEntity.Join first = rooms.get("s2").expectMessageClass(RoomEntity.Join.class);
    assertTrue(first.patch(), "a patch connection");
    manualTime.timePasses(PlayerSession.JOIN_RETRY);
    assertTrue(rooms.get("s2").expectMessageClass(RoomEntity.Join.class).patch(), "its retry too");
    TestProbe<RoomEntity.Command> actor = testKit.createTestProbe();
    first.replyTo().tell(new RoomEvent.Joined("s2", "arena", w.player(), 5, bytes("{}"), actor.getRef()));
    patch.next(ServerMessage.Joined.class);
    patch.session.tell(new PlayerSession.ClientClosed("connection reset"));
    rooms.get("s2").expectMessageClass(RoomEntity.Disconnect.class);
    patch.acks.expectTerminated(patch.session, Duration.ofSeconds(3));

    // the player resumes on a full connection: its re-attach says so
    Client resumed = new Client(base, rooms, directory, millis, new AtomicLong());
    resumed.send("{\"type\":\"hello\",\"name\":\"bob\",\"resume\":\"" + w.resume() + "\"}");
    assertEquals(w.player(), resumed.next(ServerMessage.Welcome.class).player());
    RoomEntity.Join rejoin = rooms.get("s2").expectMessageClass(RoomEntity.Join.class);
    assertEquals(w.player(), rejoin.player());
    assertFalse(rejoin.patch(), "the resumed connection's sync");
  }
}
