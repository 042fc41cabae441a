package dev.tickroom.net;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.player.Connection;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ServerMessage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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

  /** Starts a session for one connection; {@code spawn} creates the session actor. */
  public static Flow<Decoded, Outbox, NotUsed> create(
      Materializer mat, Settings.Limits limits, Metrics metrics, String transport, String description,
      Function<Connection, ActorRef<PlayerSession.Command>> spawn) {
    int maxWaiting = limits.outboundQueue();
    Pair<BoundedSourceQueue<ServerMessage>, Source<ServerMessage, NotUsed>> queue =
        Source.<ServerMessage>queue(maxWaiting).preMaterialize(mat);
    SharedKillSwitch kill = KillSwitches.shared(description);
    QueueConnection connection = new QueueConnection(queue.first(), kill, description, maxWaiting, new AtomicInteger(), metrics);
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
          done.whenComplete((d, err) -> session.tell(new PlayerSession.OutboundClosed(
              err == null ? "closed by the server" : err.getMessage())));
          return nu;
        });
    return Flow.fromSinkAndSource(in, out);
  }

  /** The session's view of the outbound queue; counts the messages waiting besides the latest state. */
  private record QueueConnection(
      BoundedSourceQueue<ServerMessage> queue, SharedKillSwitch kill, String description, int maxWaiting,
      AtomicInteger waiting, Metrics metrics) implements Connection {
    @Override
    public boolean send(ServerMessage message) {
      if (!(message instanceof ServerMessage.State) && waiting.incrementAndGet() > maxWaiting) return false;
      QueueOfferResult r = queue.offer(message);
      return r == QueueOfferResult.enqueued() || r instanceof QueueOfferResult.QueueClosed$;
    }

    @Override
    public void close() {
      queue.complete();
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
