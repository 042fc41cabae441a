package dev.tickroom.net;

import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.player.Connection;
import dev.tickroom.player.InputShortcut;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SubscriptionWithCancelException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The transport-independent middle of every connection: decoded client messages go to a new
 * {@link PlayerSession} with backpressure; what the session sends comes out as {@link Outbox} batches,
 * states conflated while the socket is busy. TCP and WebSocket differ only in how they frame around it.
 *
 * <p>All of it is one stage of the connection's stream, so a connection is one stream graph, one interpreter
 * actor and its session: the session's messages reach the stage through a lock-free queue and at most one
 * wake-up at a time, and the session acknowledges each line to the stage's own actor reference.
 */
public final class SessionFlow {
  private SessionFlow() {}

  /** The client cannot keep up; its connection is dropped. */
  public static final class SlowClientException extends RuntimeException {
    SlowClientException(String message) {
      super(message, null, false, false);
    }
  }

  /** A closing connection did not manage to send what was queued for it in time. */
  public static final class FlushTimeoutException extends RuntimeException {
    FlushTimeoutException(String message) {
      super(message, null, false, false);
    }
  }

  /** Creates the session actor of a new connection. */
  @FunctionalInterface
  public interface Spawner {
    ActorRef<PlayerSession.Command> spawn(Connection connection, InputShortcut inputs);
  }

  /** A session for one connection, started when the flow is materialized; {@code spawn} creates the session actor. */
  public static Flow<Decoded, Outbox, NotUsed> create(
      Settings.Limits limits, EdgeSettings.Net net, Metrics metrics, String transport, String description, Spawner spawn) {
    return Flow.fromGraph(new Stage(limits, net, metrics, transport, description, spawn));
  }

  private static final class Stage extends GraphStage<FlowShape<Decoded, Outbox>> {
    final Inlet<Decoded> in = Inlet.create("session.in");
    final Outlet<Outbox> out = Outlet.create("session.out");
    final FlowShape<Decoded, Outbox> shape = FlowShape.of(in, out);
    final Settings.Limits limits;
    final EdgeSettings.Net net;
    final Metrics metrics;
    final String transport;
    final String description;
    final Spawner spawn;

    Stage(Settings.Limits limits, EdgeSettings.Net net, Metrics metrics, String transport, String description, Spawner spawn) {
      this.limits = limits;
      this.net = net;
      this.metrics = metrics;
      this.transport = transport;
      this.description = description;
      this.spawn = spawn;
    }

    @Override
    public FlowShape<Decoded, Outbox> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new Logic(this);
    }
  }

  /** What the session asks of the stage from its own thread. */
  private sealed interface Signal {}

  private enum Drain implements Signal { INSTANCE }

  private enum Close implements Signal { INSTANCE }

  private record Abort(RuntimeException why) implements Signal {}

  private static final String IDLE_TIMER = "idle";
  private static final String FLUSH_TIMER = "flush";

  /**
   * One connection's session side. {@link Connection} methods are called from the session's and rooms'
   * threads; everything else runs in the stream. Messages other than states are counted while they wait:
   * beyond {@code outboundQueue} the client is too slow. Once closed, what waits has {@code flushTimeout} to
   * reach the socket; then the connection is aborted. A client that sends nothing (not even a ping) for the
   * idle limit is told so, and the connection closes the ordinary way: the error is flushed, then the socket
   * closed (the inbound side is left as it is, so no reset overtakes the error); checked four times per
   * limit, so it fires within 1.25 times the limit.
   */
  private static final class Logic extends TimerGraphStageLogic implements Connection {
    private final Stage stage;
    private final int maxWaiting;
    private final InputShortcut inputs;
    // shared with the session's and rooms' threads
    private final ConcurrentLinkedQueue<ServerMessage> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean stopped;
    private final AsyncCallback<Signal> signals;
    // the stream's own
    private ActorRef<PlayerSession.Command> session;
    private ActorRef<PlayerSession.Ack> acks;
    private Outbox pending;
    private boolean awaitingAck;
    private String inboundEnded;
    private boolean closing;
    private String closedFor;
    private boolean outboundEnded;
    private long lastIn = System.nanoTime();

    Logic(Stage stage) {
      super(stage.shape);
      this.stage = stage;
      this.maxWaiting = stage.limits.outboundQueue();
      this.inputs = new InputShortcut(stage.limits.ratePerSecond(), stage.limits.rateBurst(), System::nanoTime);
      this.signals = createAsyncCallback(this::onSignal);

      setHandler(stage.in, new AbstractInHandler() {
        @Override
        public void onPush() {
          Decoded d = grab(stage.in);
          lastIn = System.nanoTime();
          stage.metrics.messageIn(stage.transport);
          // an input goes straight to the room when the session has opened the shortcut; every other line,
          // and an input the shortcut declines, goes to the session, one at a time
          if (inputs.offer(d)) {
            pull(stage.in);
          } else {
            awaitingAck = true;
            session.tell(new PlayerSession.FromClient(acks, d));
          }
        }

        @Override
        public void onUpstreamFinish() {
          endInbound("client closed the connection");
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          endInbound("connection failed: " + ex.getMessage());
        }
      });

      setHandler(stage.out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (pending != null) pushPending();
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          // the client's side stays open, as the session may still read from it; the stage stops by itself
          // once both sides are closed
          endOutbound(cause instanceof SubscriptionWithCancelException.NonFailureCancellation
              ? null : cause.getMessage());
        }
      });
    }

    @Override
    public void preStart() {
      acks = Adapter.toTyped(getStageActor(msg -> {
        onAck();
        return scala.runtime.BoxedUnit.UNIT;
      }).ref());
      session = stage.spawn.spawn(this, inputs);
      awaitingAck = true;
      session.tell(new PlayerSession.ClientStarted(acks));
      long idleNanos = stage.net.idleTimeout().toNanos();
      Duration every = Duration.ofNanos(Math.max(1_000_000L, idleNanos / 4));
      scheduleWithFixedDelay(IDLE_TIMER, every, every);
    }

    private void onAck() {
      awaitingAck = false;
      if (inboundEnded != null) {
        session.tell(new PlayerSession.ClientClosed(inboundEnded));
      } else if (!hasBeenPulled(stage.in) && !isClosed(stage.in)) {
        pull(stage.in);
      }
    }

    /** The client's side ended: the session hears of it once it has acknowledged every line before. */
    private void endInbound(String reason) {
      inboundEnded = reason;
      if (!awaitingAck) session.tell(new PlayerSession.ClientClosed(reason));
    }

    /** The side towards the client ended (flushed, dropped or failed); the session hears of it once. */
    private void endOutbound(String failure) {
      if (outboundEnded) return;
      outboundEnded = true;
      closed = true;
      cancelTimer(IDLE_TIMER);
      cancelTimer(FLUSH_TIMER);
      if (session == null) return; // the session could not be started
      session.tell(new PlayerSession.OutboundClosed(failure != null ? failure
          : closedFor != null ? closedFor : "closed by the server"));
    }

    private void onSignal(Signal s) {
      if (s instanceof Drain) {
        drain();
      } else if (s instanceof Close) {
        drain();
        startClosing();
      } else if (s instanceof Abort a) {
        fail(a.why());
      }
    }

    private void drain() {
      wakeUpPending.set(false);
      for (ServerMessage m; (m = mailbox.poll()) != null; ) add(m);
      if (pending != null && isAvailable(stage.out)) pushPending();
    }

    private void add(ServerMessage m) {
      pending = pending == null ? Outbox.of(m) : pending.add(m);
    }

    private void pushPending() {
      Outbox batch = pending;
      pending = null;
      waiting.addAndGet(-batch.others());
      stage.metrics.messagesOut(stage.transport, batch.messages().size());
      stage.metrics.conflated(batch.conflated());
      push(stage.out, batch);
      if (closing) completeOutboundIfFlushed();
    }

    private void startClosing() {
      if (closing || outboundEnded) return;
      closing = true;
      scheduleOnce(FLUSH_TIMER, stage.net.flushTimeout());
      completeOutboundIfFlushed();
    }

    private void completeOutboundIfFlushed() {
      if (pending != null || !mailbox.isEmpty()) return;
      complete(stage.out);
      endOutbound(null);
    }

    private void fail(RuntimeException why) {
      endOutbound(why.getMessage());
      failStage(why);
    }

    @Override
    public void onTimer(Object key) {
      if (FLUSH_TIMER.equals(key)) {
        fail(new FlushTimeoutException("could not send the last messages within "
            + stage.net.flushTimeout().toMillis() + " ms of closing; connection aborted"));
        return;
      }
      Duration idle = stage.net.idleTimeout();
      if (System.nanoTime() - lastIn < idle.toNanos() || closing) return;
      cancelTimer(IDLE_TIMER);
      String why = "no message for " + idle.toSeconds() + " s";
      closedFor = "idle: " + why;
      stage.metrics.error(ErrorCode.IDLE_TIMEOUT);
      closed = true; // the session's later messages go nowhere; this one goes last
      waiting.incrementAndGet(); // counted like the session's messages, as the batch that sends it subtracts it
      mailbox.add(new ServerMessage.Error(ErrorCode.IDLE_TIMEOUT,
          why + " (a ping keeps a quiet connection open); closing the connection"));
      drain();
      startClosing();
    }

    @Override
    public void postStop() {
      stopped = true;
      endOutbound("connection ended");
    }

    // ---------------------------------------------------------------- Connection, from other threads

    @Override
    public boolean send(ServerMessage message) {
      if (closed) return true; // closing: what is sent now goes nowhere, as after the socket closed
      if (!(message instanceof ServerMessage.State) && waiting.incrementAndGet() > maxWaiting) return false;
      mailbox.add(message);
      if (wakeUpPending.compareAndSet(false, true)) signals.invoke(Drain.INSTANCE);
      return true;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      signals.invoke(Close.INSTANCE);
    }

    @Override
    public void abort(String reason) {
      if (stopped) return;
      closed = true;
      stage.metrics.slowClientDropped(Math.max(0, waiting.get()));
      signals.invoke(new Abort(new SlowClientException(reason)));
    }

    @Override
    public String describe() {
      return stage.description;
    }
  }
}
