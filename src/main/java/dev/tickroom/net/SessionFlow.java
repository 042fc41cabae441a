package dev.tickroom.net;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.player.Connection;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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

  /**
   * Starts a session for one connection; {@code spawn} creates the session actor. The returned flow must be
   * materialized once.
   */
  public static Flow<Decoded, Outbox, NotUsed> create(
      Materializer mat, Settings.Limits limits, Metrics metrics, String transport, String description,
      Function<Connection, ActorRef<PlayerSession.Command>> spawn) {
    int maxWaiting = limits.outboundQueue();
    SharedKillSwitch kill = KillSwitches.shared(description);
    QueueConnection connection = new QueueConnection(kill, description, maxWaiting, metrics);
    ActorRef<PlayerSession.Command> session = spawn.apply(connection);

    Sink<Decoded, NotUsed> in = Flow.<Decoded>create().via(kill.flow()).map(d -> {
          metrics.messageIn(transport);
          return d;
        }).to(ActorSink.actorRefWithBackpressure(
        session,
        PlayerSession.FromClient::new,
        PlayerSession.ClientStarted::new,
        PlayerSession.Ack.INSTANCE,
        new PlayerSession.ClientClosed("client closed the connection"),
        err -> new PlayerSession.ClientClosed("connection failed: " + err.getMessage())));

    // The queue is materialized with the rest of the connection's stream, in the same graph interpreter
    // (a pre-materialized queue would run in a stream of its own: one more actor hop for every message).
    Source<Outbox, NotUsed> out = Source.<ServerMessage>queue(maxWaiting)
        .mapMaterializedValue(queue -> {
          connection.attach(queue);
          return NotUsed.getInstance();
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
          done.whenComplete((d, err) -> session.tell(new PlayerSession.OutboundClosed(
              err == null ? "closed by the server" : err.getMessage())));
          return nu;
        });
    return Flow.fromSinkAndSource(in, out);
  }

  /**
   * The session's view of the outbound queue; counts the messages waiting besides the latest state. The
   * session exists before the stream is materialized, so what it sends before the queue is attached (in
   * practice nothing: it only answers the client, whose lines come through the same stream) is kept and
   * offered first.
   */
  private static final class QueueConnection implements Connection {
    private final SharedKillSwitch kill;
    private final String description;
    private final int maxWaiting;
    private final Metrics metrics;
    final AtomicInteger waiting = new AtomicInteger();
    private volatile BoundedSourceQueue<ServerMessage> queue;
    /** Guarded by this, until the queue is attached. */
    private List<ServerMessage> early;
    private boolean closedEarly;

    QueueConnection(SharedKillSwitch kill, String description, int maxWaiting, Metrics metrics) {
      this.kill = kill;
      this.description = description;
      this.maxWaiting = maxWaiting;
      this.metrics = metrics;
    }

    void attach(BoundedSourceQueue<ServerMessage> q) {
      synchronized (this) {
        if (early != null) {
          for (ServerMessage m : early) q.offer(m);
          early = null;
        }
        if (closedEarly) q.complete();
        queue = q;
      }
    }

    @Override
    public boolean send(ServerMessage message) {
      if (!(message instanceof ServerMessage.State) && waiting.incrementAndGet() > maxWaiting) return false;
      BoundedSourceQueue<ServerMessage> q = queue;
      if (q == null) {
        synchronized (this) {
          q = queue;
          if (q == null) {
            if (!closedEarly) {
              if (early == null) early = new ArrayList<>(4);
              early.add(message);
            }
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
          if (q == null) {
            closedEarly = true;
            return;
          }
        }
      }
      q.complete();
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
