package dev.tickroom.net;

import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.player.Connection;
import dev.tickroom.player.InputShortcut;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import scala.concurrent.duration.FiniteDuration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * The transport-independent middle of every connection: decoded client messages go to a new
 * {@link PlayerSession} with backpressure; what the session sends comes out as {@link Outbox} batches,
 * states conflated while the socket is busy. TCP and WebSocket differ only in how they frame around it.
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

  /** Starts a session for one connection; {@code spawn} creates the session actor. */
  public static Flow<Decoded, Outbox, NotUsed> create(
      Materializer mat, Settings.Limits limits, EdgeSettings.Net net, Metrics metrics, String transport,
      String description, Spawner spawn) {
    int maxWaiting = limits.outboundQueue();
    SharedKillSwitch kill = KillSwitches.shared(description);
    QueueConnection connection = new QueueConnection(kill, description, maxWaiting, metrics, mat, net.flushTimeout());
    InputShortcut inputs = new InputShortcut(limits.ratePerSecond(), limits.rateBurst(), System::nanoTime);
    ActorRef<PlayerSession.Command> session = spawn.spawn(connection, inputs);

    // an input goes straight to the room when the session has opened the shortcut; every other line, and
    // an input the shortcut declines, goes to the session, one at a time with backpressure
    Sink<Decoded, NotUsed> in = Flow.<Decoded>create().via(kill.flow())
        .filter(d -> {
          connection.lastIn = System.nanoTime();
          metrics.messageIn(transport);
          return !inputs.offer(d);
        }).to(ActorSink.actorRefWithBackpressure(
        session,
        PlayerSession.FromClient::new,
        PlayerSession.ClientStarted::new,
        PlayerSession.Ack.INSTANCE,
        new PlayerSession.ClientClosed("client closed the connection"),
        err -> new PlayerSession.ClientClosed("connection failed: " + err.getMessage())));

    // a client that sends nothing (not even a ping) for the idle limit is told so, and the connection closes
    // the ordinary way: the error is flushed, then the socket closed (the inbound side is left as it is, so
    // no reset overtakes the error); checked four times per limit, so it fires within 1.25 times the limit
    connection.startIdleCheck(net.idleTimeout());

    // the outbound queue is part of the connection's own graph (one interpreter per connection): the queue
    // reaches the session's Connection when the graph is materialized, before any line can reach the session
    Source<Outbox, NotUsed> out = Source.<ServerMessage>queue(maxWaiting)
        .mapMaterializedValue(q -> {
          connection.attach(q);
          return NotUsed.notUsed();
        })
        .conflateWithSeed(Outbox::of, Outbox::add)
        .map(batch -> {
          connection.waiting.addAndGet(-batch.others());
          metrics.messagesOut(transport, batch.messages().size());
          metrics.conflated(batch.conflated());
          return batch;
        })
        .via(kill.flow())
        .watchTermination((nu, done) -> {
          done.whenComplete((d, err) -> {
            connection.ended();
            session.tell(new PlayerSession.OutboundClosed(err != null ? err.getMessage()
                : connection.closedFor != null ? connection.closedFor : "closed by the server"));
          });
          return nu;
        });
    return Flow.fromSinkAndSource(in, out);
  }

  /**
   * The session's view of the outbound queue; counts the messages waiting besides the latest state. Once
   * closed, the queue has {@code flushTimeout} to drain to the socket; then the connection is aborted.
   */
  private static final class QueueConnection implements Connection {
    /** The outbound queue, once the connection's graph is materialized. */
    private volatile BoundedSourceQueue<ServerMessage> queue;
    /** What was sent before the queue existed (guarded by this); and whether close came before it. */
    private List<ServerMessage> early = new java.util.ArrayList<>(1);
    private boolean closedEarly;
    final SharedKillSwitch kill;
    final String description;
    final int maxWaiting;
    final AtomicInteger waiting = new AtomicInteger();
    final Metrics metrics;
    final Materializer mat;
    final Duration flushTimeout;
    final AtomicReference<Cancellable> flushDeadline = new AtomicReference<>();
    final AtomicReference<Cancellable> idleCheck = new AtomicReference<>();
    /** When the client's last message arrived (System.nanoTime). */
    volatile long lastIn = System.nanoTime();
    /** Why the connection itself closed the queue (idle), for the session's log line; else null. */
    volatile String closedFor;

    QueueConnection(SharedKillSwitch kill, String description, int maxWaiting, Metrics metrics, Materializer mat,
        Duration flushTimeout) {
      this.kill = kill;
      this.description = description;
      this.maxWaiting = maxWaiting;
      this.metrics = metrics;
      this.mat = mat;
      this.flushTimeout = flushTimeout;
    }

    /** The graph was materialized: what was sent (or closed) before goes to the queue first, in order. */
    void attach(BoundedSourceQueue<ServerMessage> q) {
      synchronized (this) {
        if (queue != null) throw new IllegalStateException("a connection's flow is materialized once");
        for (ServerMessage m : early) q.offer(m);
        early = null;
        if (closedEarly) complete(q);
        queue = q;
      }
    }

    @Override
    public boolean send(ServerMessage message) {
      if (!(message instanceof ServerMessage.State) && waiting.incrementAndGet() > maxWaiting) return false;
      return offer(message);
    }

    private boolean offer(ServerMessage message) {
      BoundedSourceQueue<ServerMessage> q = queue;
      if (q == null) {
        synchronized (this) {
          q = queue;
          if (q == null) {
            if (!closedEarly) early.add(message);
            return true;
          }
        }
      }
      QueueOfferResult r = q.offer(message);
      return r == QueueOfferResult.enqueued() || r instanceof QueueOfferResult.QueueClosed$;
    }

    @Override
    public void close() {
      BoundedSourceQueue<ServerMessage> q = queue;
      if (q == null) {
        synchronized (this) {
          q = queue;
          if (q == null) closedEarly = true;
        }
      }
      if (q != null) complete(q);
      startFlushDeadline();
    }

    private static void complete(BoundedSourceQueue<ServerMessage> q) {
      try {
        q.complete();
      } catch (IllegalStateException alreadyEnded) {
        // the stream ended first (client gone, or aborted): nothing left to close
      }
    }

    void startIdleCheck(Duration idle) {
      long idleNanos = idle.toNanos();
      FiniteDuration every = FiniteDuration.fromNanos(Math.max(1_000_000L, idleNanos / 4));
      Cancellable timer = mat.scheduleWithFixedDelay(every, every, () -> {
        if (System.nanoTime() - lastIn < idleNanos) return;
        Cancellable self = idleCheck.getAndSet(Cancellable.alreadyCancelled());
        if (self != null) self.cancel();
        String why = "no message for " + idle.toSeconds() + " s";
        closedFor = "idle: " + why;
        metrics.error(ErrorCode.IDLE_TIMEOUT);
        offer(new ServerMessage.Error(ErrorCode.IDLE_TIMEOUT,
            why + " (a ping keeps a quiet connection open); closing the connection"));
        close();
      });
      if (!idleCheck.compareAndSet(null, timer)) timer.cancel();
    }

    private void startFlushDeadline() {
      if (flushDeadline.get() != null) return;
      Cancellable timer = mat.scheduleOnce(FiniteDuration.fromNanos(flushTimeout.toNanos()), () ->
          kill.abort(new FlushTimeoutException("could not send the last messages within "
              + flushTimeout.toMillis() + " ms of closing; connection aborted")));
      if (!flushDeadline.compareAndSet(null, timer)) timer.cancel();
    }

    /** The outbound side ended: no timer is needed any more. */
    void ended() {
      for (AtomicReference<Cancellable> t : List.of(flushDeadline, idleCheck)) {
        Cancellable previous = t.getAndSet(Cancellable.alreadyCancelled());
        if (previous != null) previous.cancel();
      }
    }

    @Override
    public void abort(String reason) {
      metrics.slowClientDropped(Math.max(0, waiting.get()));
      kill.abort(new SlowClientException(reason));
    }

    @Override
    public String describe() {
      return description;
    }
  }
}
