package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.player.Connection;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection's session stage on its own: a test probe plays the session, stream probes play the socket.
 * Lines reach the session one at a time, each after the last was acknowledged; what the session sends comes
 * out in batches, states conflated while the socket does not pull; the outbound bound, closing with its
 * flush deadline, aborting and the idle limit.
 */
@Timeout(30)
class SessionFlowTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Materializer mat = Materializer.matFromSystem(testKit.system());
  static final int MAX_WAITING = 4;

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  /** One materialized session stage: the socket's two sides, the session probe and the session's connection. */
  record Wired(TestPublisher.Probe<Decoded> client, TestSubscriber.Probe<Outbox> socket,
      TestProbe<PlayerSession.Command> session, Connection connection) {
    /** The session's start message, acknowledged, as a session does. */
    Wired started() {
      session.expectMessageClass(PlayerSession.ClientStarted.class).ackTo().tell(PlayerSession.Ack.INSTANCE);
      return this;
    }
  }

  static Wired wire(Duration idle, Duration flush) throws Exception {
    Settings.Limits limits = new Settings.Limits(65536, 1000, 1000, 10, Duration.ofSeconds(5), MAX_WAITING, 0,
        Duration.ofSeconds(10));
    EdgeSettings.Net net = new EdgeSettings.Net(100, 100, idle, flush, false, Duration.ofSeconds(60),
        Duration.ofSeconds(10), 3, Set.of());
    TestProbe<PlayerSession.Command> session = testKit.createTestProbe();
    CompletableFuture<Connection> connection = new CompletableFuture<>();
    Pair<TestPublisher.Probe<Decoded>, TestSubscriber.Probe<Outbox>> ends =
        TestSource.<Decoded>probe(Adapter.toClassic(testKit.system()))
            .via(SessionFlow.create(limits, net, Metrics.none(), "test", "test client", (c, inputs) -> {
              connection.complete(c);
              return session.getRef();
            }))
            .toMat(TestSink.probe(Adapter.toClassic(testKit.system())), Keep.both())
            .run(mat);
    return new Wired(ends.first(), ends.second(), session, connection.get(5, TimeUnit.SECONDS));
  }

  static Wired wire() throws Exception {
    return wire(Duration.ofMinutes(1), Duration.ofSeconds(1));
  }

  static ServerMessage.State state(long tick) {
    return new ServerMessage.State("r", tick, 0, "{}".getBytes(), null);
  }

  @Test
  void linesReachTheSessionOneAtATimeAfterEachAck() throws Exception {
    Wired w = wire();
    PlayerSession.ClientStarted start = w.session().expectMessageClass(PlayerSession.ClientStarted.class);
    Decoded hello = Codec.decode("{\"type\":\"hello\",\"v\":1,\"name\":\"x\"}");
    Decoded ping = Codec.decode("{\"type\":\"ping\",\"t\":\"a\"}");
    w.client().expectRequest();
    w.client().sendNext(hello);
    w.client().sendNext(ping);
    // nothing reaches the session before it has acknowledged the start, then one line per acknowledgement
    w.session().expectNoMessage(Duration.ofMillis(100));
    start.ackTo().tell(PlayerSession.Ack.INSTANCE);
    PlayerSession.FromClient first = w.session().expectMessageClass(PlayerSession.FromClient.class);
    assertEquals(hello, first.message());
    w.session().expectNoMessage(Duration.ofMillis(100));
    first.ackTo().tell(PlayerSession.Ack.INSTANCE);
    assertEquals(ping, w.session().expectMessageClass(PlayerSession.FromClient.class).message());
  }

  @Test
  void statesConflateWhileTheSocketIsBusyAndOtherMessagesKeepTheirOrder() throws Exception {
    Wired w = wire().started();
    Connection c = w.connection();
    assertTrue(c.send(new ServerMessage.Pong("1")));
    assertTrue(c.send(state(1)));
    assertTrue(c.send(state(2)));
    assertTrue(c.send(new ServerMessage.Pong("2")));
    assertTrue(c.send(state(3)));
    w.socket().request(1);
    Outbox batch = w.socket().expectNext();
    // whatever had arrived by the first pull may come out first; in all, every pong once, in order, and
    // the last state last; older states were replaced
    List<ServerMessage> all = new java.util.ArrayList<>(batch.messages());
    int conflated = batch.conflated();
    while (!(all.get(all.size() - 1) instanceof ServerMessage.State last && last.tick() == 3)) {
      w.socket().request(1);
      Outbox more = w.socket().expectNext();
      all.addAll(more.messages());
      conflated += more.conflated();
    }
    List<ServerMessage> pongs = all.stream().filter(m -> m instanceof ServerMessage.Pong).toList();
    assertEquals(List.of(new ServerMessage.Pong("1"), new ServerMessage.Pong("2")), pongs);
    assertEquals(5, all.size() + conflated, "every state either sent or counted as replaced");
    assertTrue(conflated >= 1, "the states sent while the socket did not pull were conflated");
  }

  @Test
  void moreWaitingMessagesThanTheBoundMakeTheClientTooSlowButStatesNever() throws Exception {
    Wired w = wire().started();
    Connection c = w.connection();
    for (int i = 0; i < MAX_WAITING; i++) assertTrue(c.send(new ServerMessage.Pong("p" + i)));
    assertFalse(c.send(new ServerMessage.Pong("one too many")));
    for (int i = 0; i < 100; i++) assertTrue(c.send(state(i)));
    // once the socket takes them, there is room again
    w.socket().request(1);
    Outbox batch = w.socket().expectNext();
    assertTrue(batch.others() >= 1);
    c.abort("too slow");
    w.socket().request(1);
    assertInstanceOf(SessionFlow.SlowClientException.class, w.socket().expectError());
    assertEquals("too slow", w.session().expectMessageClass(PlayerSession.OutboundClosed.class).reason());
  }

  @Test
  void closeSendsWhatWaitsThenEndsTheSocketAndTellsTheSessionOnce() throws Exception {
    Wired w = wire().started();
    w.connection().send(new ServerMessage.Pong("last"));
    w.connection().close();
    assertTrue(w.connection().send(new ServerMessage.Pong("after close"))); // accepted, goes nowhere
    w.socket().request(5);
    assertEquals(List.of(new ServerMessage.Pong("last")), w.socket().expectNext().messages());
    w.socket().expectComplete();
    assertEquals("closed by the server", w.session().expectMessageClass(PlayerSession.OutboundClosed.class).reason());
    // the client's side ends later: the session hears that too, and nothing more
    w.client().sendComplete();
    assertEquals("client closed the connection",
        w.session().expectMessageClass(PlayerSession.ClientClosed.class).reason());
    w.session().expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aClosedConnectionWhoseClientDoesNotReadIsAbortedAfterTheFlushDeadline() throws Exception {
    Wired w = wire(Duration.ofMinutes(1), Duration.ofMillis(300)).started();
    w.connection().send(new ServerMessage.Pong("never read"));
    w.connection().close();
    w.socket().ensureSubscription();
    assertInstanceOf(SessionFlow.FlushTimeoutException.class, w.socket().expectError());
    assertTrue(w.session().expectMessageClass(PlayerSession.OutboundClosed.class).reason().contains("300 ms"));
  }

  @Test
  void theClientsEndReachesTheSessionOnlyAfterItsLastLineWasAcknowledged() throws Exception {
    Wired w = wire().started();
    w.client().sendNext(Codec.decode("{\"type\":\"hello\",\"v\":1,\"name\":\"x\"}"));
    PlayerSession.FromClient line = w.session().expectMessageClass(PlayerSession.FromClient.class);
    w.client().sendComplete();
    w.session().expectNoMessage(Duration.ofMillis(100));
    line.ackTo().tell(PlayerSession.Ack.INSTANCE);
    assertEquals("client closed the connection",
        w.session().expectMessageClass(PlayerSession.ClientClosed.class).reason());
  }

  @Test
  void aQuietClientIsToldAndClosedAfterTheIdleLimit() throws Exception {
    Wired w = wire(Duration.ofMillis(400), Duration.ofSeconds(1)).started();
    w.socket().request(5);
    ServerMessage m = w.socket().expectNext(Duration.ofSeconds(3)).messages().get(0);
    assertEquals(ErrorCode.IDLE_TIMEOUT, ((ServerMessage.Error) m).code());
    w.socket().expectComplete();
    assertTrue(w.session().expectMessageClass(PlayerSession.OutboundClosed.class).reason().startsWith("idle: "));
  }
}
