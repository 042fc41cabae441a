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
import java.util.concurrent.TimeoutException;
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

  /** The client sent nothing for the idle limit. */
  public static final class IdleException extends RuntimeException {
    IdleException(String message) {
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
    QueueConnection connection = new QueueConnection(queue.first(), kill, description, maxWaiting, new AtomicInteger(),
        metrics, mat, net.flushTimeout(), new AtomicReference<>());
    InputShortcut inputs = new InputShortcut(limits.ratePerSecond(), limits.rateBurst(), System::nanoTime);
    ActorRef<PlayerSession.Command> session = spawn.spawn(connection, inputs);

    // an input goes straight to the room when the session has opened the shortcut; every other line, and
    // an input the shortcut declines, goes to the session, one at a time with backpressure
    // a client that sends nothing (not even a ping) for the idle limit is told so and closed: the error goes
    // into the outbound queue before the session hears that the inbound side ended, so it is sent first
    Duration idle = net.idleTimeout();
    Sink<Decoded, NotUsed> in = Flow.<Decoded>create().via(kill.flow())
        .idleTimeout(idle)
        .mapError(TimeoutException.class, e -> {
          String why = "no message for " + idle.toSeconds() + " s";
          connection.sendAndClose(new ServerMessage.Error(ErrorCode.IDLE_TIMEOUT,
              why + " (a ping keeps a quiet connection open); closing the connection"));
          return new IdleException(why);
        })
        .filter(d -> {
          metrics.messageIn(transport);
          return !inputs.offer(d);
        }).to(ActorSink.actorRefWithBackpressure(
        session,
        PlayerSession.FromClient::new,
        PlayerSession.ClientStarted::new,
        PlayerSession.Ack.INSTANCE,
        new PlayerSession.ClientClosed("client closed the connection"),
        err -> new PlayerSession.ClientClosed("connection failed: " + err.getMessage())));

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
            connection.flushDone();
            session.tell(new PlayerSession.OutboundClosed(err == null ? "closed by the server" : err.getMessage()));
          });
          return nu;
        });
    return Flow.fromSinkAndSource(in, out);
  }

  /**
   * The session's view of the outbound queue; counts the messages waiting besides the latest state. Once
   * closed, the queue has {@code flushTimeout} to drain to the socket; then the connection is aborted.
   */
  private record QueueConnection(
      BoundedSourceQueue<ServerMessage> queue, SharedKillSwitch kill, String description, int maxWaiting,
      AtomicInteger waiting, Metrics metrics, Materializer mat, Duration flushTimeout,
      AtomicReference<Cancellable> flushDeadline) implements Connection {
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

    /** Queues one last message whatever the bound (the connection is ending), then closes. */
    void sendAndClose(ServerMessage last) {
      if (last instanceof ServerMessage.Error e) metrics.error(e.code());
      queue.offer(last);
      close();
    }

    private void startFlushDeadline() {
      if (flushDeadline.get() != null) return;
      Cancellable timer = mat.scheduleOnce(FiniteDuration.fromNanos(flushTimeout.toNanos()), () ->
          kill.abort(new FlushTimeoutException("could not send the last messages within "
              + flushTimeout.toMillis() + " ms of closing; connection aborted")));
      if (!flushDeadline.compareAndSet(null, timer)) timer.cancel();
    }

    /** The outbound side ended: no deadline is needed any more. */
    void flushDone() {
      Cancellable previous = flushDeadline.getAndSet(Cancellable.alreadyCancelled());
      if (previous != null) previous.cancel();
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
