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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PlayerSessionTest {
  static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load("application-test")));
  static final Settings base = Settings.from(testKit.system().settings().config());

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

  /** Keys made for this run: no secret that is written anywhere signs these tokens. */
  static final ResumeTokens TOKENS = new ResumeTokens(ResumeTokens.Key.current("test", ResumeTokens.newSecret()));

  /** The hello of a node without an authenticator, with the test's directory and clock. */
  static Handshake handshake(PlayerDirectory directory, AtomicLong millis) {
    return new Handshake(java.util.Optional.empty(), Duration.ofSeconds(3),
        () -> java.util.concurrent.CompletableFuture.completedFuture(TOKENS), Duration.ofSeconds(3), directory,
        new FailedHellos(1, 1000, 100, System::nanoTime), base.rooms().resumeGrace(), millis::get, () -> "node-1",
        java.util.List.of());
  }

  /** One session with its fake connection, a room probe and a clock the test moves. */
  static final class Client {
    final RecordingConnection conn = new RecordingConnection();
    final TestProbe<PlayerSession.Ack> acks = testKit.createTestProbe();
    final TestProbe<RoomEntity.Command> room;
    final ActorRef<PlayerSession.Command> session;
    final InputShortcut inputs;
    /** The direct line for states from the last join. */
    RoomEntity.AttachLocal line;

    Client(Settings settings, TestProbe<RoomEntity.Command> room, PlayerDirectory directory, AtomicLong millis, AtomicLong nanos) {
      this.room = room;
      PlayerSession.Deps deps = new PlayerSession.Deps(settings, () -> "node-1", handshake(directory, millis),
          directory, new SessionRegistry(), dev.tickroom.metrics.Metrics.none(), id -> room.getRef(), nanos::get, millis::get);
      inputs = PlayerSession.inputShortcut(deps);
      session = testKit.spawn(PlayerSession.create(deps, conn, inputs));
    }

    Client() {
      this(base, testKit.createTestProbe(), new PlayerDirectory.Local(60_000), new AtomicLong(1_000_000), new AtomicLong());
    }

    void send(String line) {
      session.tell(new PlayerSession.FromClient(acks.getRef(), Codec.decode(line.getBytes(StandardCharsets.UTF_8))));
      acks.expectMessage(PlayerSession.Ack.INSTANCE);
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
      return next(ServerMessage.Welcome.class);
    }

    ActorRef<RoomEvent> join(String roomId) {
      send("{\"type\":\"join\",\"room\":\"" + roomId + "\",\"game\":\"arena\"}");
      RoomEntity.Join join = room.expectMessageClass(RoomEntity.Join.class);
      assertEquals(roomId.length() > 0, true);
      join.replyTo().tell(new RoomEvent.Joined(roomId, "arena", join.player(), 5, "{}".getBytes(), room.getRef()));
      ServerMessage.Joined joined = next(ServerMessage.Joined.class);
      assertEquals(roomId, joined.room());
      // the room is local (a probe here), so the session hands it a direct line for states
      line = room.expectMessageClass(RoomEntity.AttachLocal.class);
      assertEquals(join.player(), line.player());
      assertEquals(join.replyTo(), line.session());
      return join.replyTo();
    }
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
    assertFalse(c.conn.closed);
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
    c.send("{\"type\":\"input\",\"seq\":1,\"data\":{}}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.send("{\"type\":\"leave\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.send("{\"type\":\"chat\",\"text\":\"hi\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.room.expectNoMessage(Duration.ofMillis(50));
    assertTrue(c.conn.sent.isEmpty());
    assertFalse(c.conn.closed);
  }

  @Test
  void inARoomTrafficFlowsBothWays() {
    Client c = new Client();
    String player = c.hello().player();
    ActorRef<RoomEvent> events = c.join("r1");

    c.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1}}");
    RoomEntity.Input in = c.room.expectMessageClass(RoomEntity.Input.class);
    assertEquals(player, in.player());
    assertEquals(1, in.seq());
    c.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1}}");
    assertEquals(ErrorCode.BAD_REQUEST, c.error()); // seq must increase
    c.room.expectNoMessage(Duration.ofMillis(50));

    events.tell(new RoomEvent.State("r1", 6, 1, "{\"x\":1}".getBytes()));
    ServerMessage.State s = c.next(ServerMessage.State.class);
    assertEquals(6, s.tick());
    assertEquals(1, s.ack());
    events.tell(new RoomEvent.Error("r1", "not_your_turn", "wait"));
    assertEquals("not_your_turn", c.error());

    c.send("{\"type\":\"chat\",\"text\":\"gg\"}");
    assertEquals(new RoomEntity.Chat(player, "gg"), c.room.expectMessageClass(RoomEntity.Chat.class));
    events.tell(new RoomEvent.Chat("r1", player, "gg"));
    assertEquals("gg", c.next(ServerMessage.Chat.class).text());

    c.send("{\"type\":\"leave\"}");
    RoomEntity.Leave leave = c.room.expectMessageClass(RoomEntity.Leave.class);
    events.tell(new RoomEvent.State("r1", 7, 1, "{}".getBytes())); // in flight: dropped
    leave.replyTo().tell(new RoomEvent.Left("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    c.send("{\"type\":\"input\",\"seq\":2,\"data\":{}}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
  }

  @Test
  void statesKeepTickOrderAcrossTheDirectLineAndTheSessionAndStopAtLeave() {
    Client c = new Client();
    c.hello();
    ActorRef<RoomEvent> events = c.join("r1");
    RoomEntity.LocalStates line = c.line.line();
    line.offer("r1", 6, 0, "{\"x\":6}".getBytes());
    assertEquals(6, c.next(ServerMessage.State.class).tick());
    // a state sent through the session before the room took the line is older: dropped, never shown after 6
    events.tell(new RoomEvent.State("r1", 5, 0, "{}".getBytes()));
    line.offer("r1", 7, 0, "{}".getBytes());
    assertEquals(7, c.next(ServerMessage.State.class).tick());
    line.offer("other", 8, 0, "{}".getBytes());

    c.send("{\"type\":\"leave\"}");
    RoomEntity.Leave leave = c.room.expectMessageClass(RoomEntity.Leave.class);
    line.offer("r1", 9, 0, "{}".getBytes()); // the room has not seen the leave yet: nothing gets through now
    leave.replyTo().tell(new RoomEvent.Left("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    c.send("{\"type\":\"ping\",\"t\":1}");
    c.next(ServerMessage.Pong.class);
    assertTrue(c.conn.sent.isEmpty());
  }

  static Decoded line(String json) {
    return Codec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void inputsTakeTheStreamShortcutOnlyWhileInARoomAndKeepSeqAndRateChecks() {
    Client c = new Client();
    String player = c.hello().player();
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":1,\"data\":{}}")), "not in a room yet");
    c.send("{\"type\":\"input\",\"seq\":1,\"data\":{}}"); // so it goes to the session instead
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    c.join("r1");
    assertTrue(c.inputs.offer(line("{\"type\":\"input\",\"seq\":3,\"data\":{\"dx\":1}}")));
    RoomEntity.Input in = c.room.expectMessageClass(RoomEntity.Input.class);
    assertEquals(player, in.player());
    assertEquals(3, in.seq());
    // what the shortcut declines goes to the session, which answers as always
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":3,\"data\":{}}")));
    c.send("{\"type\":\"input\",\"seq\":3,\"data\":{}}");
    assertEquals(ErrorCode.BAD_REQUEST, c.error()); // seq must increase, across both ways
    assertFalse(c.inputs.offer(line("{\"type\":\"ping\",\"t\":1}")));
    // while the ping is on its way to the session, an input goes that way too, behind it
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":4,\"data\":{}}")));
    c.send("{\"type\":\"ping\",\"t\":1}");
    c.next(ServerMessage.Pong.class);
    c.send("{\"type\":\"input\",\"seq\":4,\"data\":{}}"); // the session's own way to the room
    assertEquals(4, c.room.expectMessageClass(RoomEntity.Input.class).seq());
    assertTrue(c.inputs.offer(line("{\"type\":\"input\",\"seq\":5,\"data\":{}}")));
    assertEquals(5, c.room.expectMessageClass(RoomEntity.Input.class).seq());

    // a leave given to the session: the input right behind it must not overtake it
    assertFalse(c.inputs.offer(line("{\"type\":\"leave\"}")));
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":6,\"data\":{}}")));
    c.send("{\"type\":\"leave\"}");
    c.room.expectMessageClass(RoomEntity.Leave.class);
    c.send("{\"type\":\"input\",\"seq\":6,\"data\":{}}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
    // and once the session has handled both, the shortcut stays closed: not in a room
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":7,\"data\":{}}")));
    c.room.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void theShortcutSpendsTheSameRateLimitAsTheSession() {
    Settings strict = withRateLimit(1, 3, 100);
    Client c = new Client(strict, testKit.createTestProbe(), new PlayerDirectory.Local(60_000), new AtomicLong(1), new AtomicLong());
    c.hello(); // 1 of 3
    c.join("r1"); // 2 of 3
    assertTrue(c.inputs.offer(line("{\"type\":\"input\",\"seq\":1,\"data\":{}}"))); // 3 of 3
    c.room.expectMessageClass(RoomEntity.Input.class);
    assertFalse(c.inputs.offer(line("{\"type\":\"input\",\"seq\":2,\"data\":{}}")), "no token left");
    c.send("{\"type\":\"input\",\"seq\":2,\"data\":{}}");
    assertEquals(ErrorCode.RATE_LIMITED, c.error());
  }

  @Test
  void aJoinThatGetsNoAnswerIsSentAgain() {
    Client c = new Client();
    c.hello();
    c.send("{\"type\":\"join\",\"room\":\"lost\"}");
    RoomEntity.Join first = c.room.expectMessageClass(RoomEntity.Join.class);
    // lost on the way (e.g. the room's shard was moving): the session retries on its own
    RoomEntity.Join again = c.room.expectMessageClass(RoomEntity.Join.class, Duration.ofSeconds(3));
    assertEquals(first, again);
    again.replyTo().tell(new RoomEvent.Joined("lost", "arena", again.player(), 1, "{}".getBytes(), c.room.getRef()));
    assertEquals("lost", c.next(ServerMessage.Joined.class).room());
    c.room.expectMessageClass(RoomEntity.AttachLocal.class);
    c.room.expectNoMessage(Duration.ofMillis(1500)); // answered: no more retries
  }

  @Test
  void joiningAnotherRoomLeavesTheFirst() {
    Client c = new Client();
    c.hello();
    c.join("a");
    c.send("{\"type\":\"join\",\"room\":\"b\"}");
    RoomEntity.Leave leave = c.room.expectMessageClass(RoomEntity.Leave.class);
    RoomEntity.Join join = c.room.expectMessageClass(RoomEntity.Join.class);
    leave.replyTo().tell(new RoomEvent.Left("a"));
    assertEquals("a", c.next(ServerMessage.Left.class).room());
    join.replyTo().tell(new RoomEvent.Rejected("b", ErrorCode.ROOM_FULL, "full"));
    assertEquals(ErrorCode.ROOM_FULL, c.error());
    c.send("{\"type\":\"chat\",\"text\":\"x\"}");
    assertEquals(ErrorCode.NOT_IN_ROOM, c.error());
  }

  @Test
  void floodsAreRateLimitedAndSustainedAbuseIsDisconnected() {
    Settings settings = withRateLimit(10, 5, 3);
    AtomicLong nanos = new AtomicLong();
    Client c = new Client(settings, testKit.createTestProbe(), new PlayerDirectory.Local(1000), new AtomicLong(1), nanos);
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
    c.session.tell(new PlayerSession.FromClient(c.acks.getRef(),
        new dev.tickroom.protocol.Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "too large")));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, c.error());
    c.awaitClosed();
  }

  @Test
  void whenTheClientGoesTheRoomIsToldAndTheSessionStops() {
    Client c = new Client();
    String player = c.hello().player();
    c.join("r1");
    c.session.tell(new PlayerSession.ClientClosed("connection reset"));
    assertEquals(player, c.room.expectMessageClass(RoomEntity.Disconnect.class).player());
    c.acks.expectTerminated(c.session, Duration.ofSeconds(3));
  }

  @Test
  void aResumeTokenBringsThePlayerBackToItsRoomWithinTheGracePeriod() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    TestProbe<RoomEntity.Command> room = testKit.createTestProbe();
    Client first = new Client(base, room, directory, millis, new AtomicLong());
    ServerMessage.Welcome w = first.hello();
    first.join("r9");
    first.session.tell(new PlayerSession.ClientClosed("connection reset"));
    room.expectMessageClass(RoomEntity.Disconnect.class);
    first.acks.expectTerminated(first.session, Duration.ofSeconds(3));

    millis.addAndGet(5_000);
    Client second = new Client(base, room, directory, millis, new AtomicLong());
    second.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w.resume() + "\"}");
    ServerMessage.Welcome again = second.next(ServerMessage.Welcome.class);
    assertEquals(w.player(), again.player());
    RoomEntity.Join rejoin = room.expectMessageClass(RoomEntity.Join.class);
    assertEquals("r9", room.getRef() != null ? "r9" : null);
    assertEquals(w.player(), rejoin.player());
    assertNull(rejoin.game());
    rejoin.replyTo().tell(new RoomEvent.Joined("r9", "arena", w.player(), 50, "{}".getBytes(), room.getRef()));
    assertEquals("r9", second.next(ServerMessage.Joined.class).room());
    room.expectMessageClass(RoomEntity.AttachLocal.class);
  }

  @Test
  void aSessionReplacedByAResumeClosesWithoutTouchingTheNewOne() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    Client c = new Client(base, testKit.createTestProbe(), directory, new AtomicLong(1_000), new AtomicLong());
    String player = c.hello().player();
    ActorRef<RoomEvent> events = c.join("r1");
    events.tell(new RoomEvent.Replaced("r1"));
    assertEquals("r1", c.next(ServerMessage.Left.class).room());
    assertEquals(ErrorCode.SESSION_REPLACED, c.error());
    c.awaitClosed();
    c.session.tell(new PlayerSession.ClientClosed("closed"));
    c.acks.expectTerminated(c.session, Duration.ofSeconds(3));
    c.room.expectNoMessage(Duration.ofMillis(200)); // no Disconnect: the room belongs to the new session
    assertEquals("r1", directory.get(player).toCompletableFuture().join().orElseThrow().room());
  }

  @Test
  void forgedOrExpiredTokensGetBadRequestAndAFreshSession() {
    PlayerDirectory directory = new PlayerDirectory.Local(60_000);
    AtomicLong millis = new AtomicLong(1_000_000);
    TestProbe<RoomEntity.Command> room = testKit.createTestProbe();
    Client first = new Client(base, room, directory, millis, new AtomicLong());
    ServerMessage.Welcome w = first.hello();
    first.session.tell(new PlayerSession.ClientClosed("gone"));
    first.acks.expectTerminated(first.session, Duration.ofSeconds(3));

    Client forged = new Client(base, room, directory, millis, new AtomicLong());
    String tampered = w.resume().substring(0, w.resume().length() - 2) + "xx";
    forged.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + tampered + "\"}");
    assertEquals(ErrorCode.BAD_REQUEST, forged.error());
    assertNotEquals(w.player(), forged.next(ServerMessage.Welcome.class).player());

    millis.addAndGet(base.rooms().resumeGrace().toMillis() + 1);
    Client late = new Client(base, room, directory, millis, new AtomicLong());
    late.send("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"" + w.resume() + "\"}");
    assertEquals(ErrorCode.BAD_REQUEST, late.error());
    assertNotEquals(w.player(), late.next(ServerMessage.Welcome.class).player());
  }
}
