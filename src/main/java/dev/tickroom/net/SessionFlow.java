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
import org.apache.pekko.japi.Pair;
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
    Pair<BoundedSourceQueue<ServerMessage>, Source<ServerMessage, NotUsed>> queue =
        Source.<ServerMessage>queue(maxWaiting).preMaterialize(mat);
    SharedKillSwitch kill = KillSwitches.shared(description);
    QueueConnection connection = new QueueConnection(queue.first(), kill, description, maxWaiting, metrics, mat,
        net.flushTimeout());
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

    Source<Outbox, NotUsed> out = queue.second()
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
    final BoundedSourceQueue<ServerMessage> queue;
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

    QueueConnection(BoundedSourceQueue<ServerMessage> queue, SharedKillSwitch kill, String description, int maxWaiting,
        Metrics metrics, Materializer mat, Duration flushTimeout) {
      this.queue = queue;
      this.kill = kill;
      this.description = description;
      this.maxWaiting = maxWaiting;
      this.metrics = metrics;
      this.mat = mat;
      this.flushTimeout = flushTimeout;
    }

    @Override
    public boolean send(ServerMessage message) {
      if (!(message instanceof ServerMessage.State) && waiting.incrementAndGet() > maxWaiting) return false;
      QueueOfferResult r = queue.offer(message);
      return r == QueueOfferResult.enqueued() || r instanceof QueueOfferResult.QueueClosed$;
    }

    @Override
    public void close() {
      try {
        queue.complete();
      } catch (IllegalStateException alreadyEnded) {
        // the stream ended first (client gone, or aborted): nothing left to close
      }
      startFlushDeadline();
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
        queue.offer(new ServerMessage.Error(ErrorCode.IDLE_TIMEOUT,
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
