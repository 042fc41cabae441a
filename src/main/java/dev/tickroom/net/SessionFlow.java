package dev.tickroom.net;

import dev.tickroom.config.Settings;
import dev.tickroom.player.Connection;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ServerMessage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
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

  /** Starts a session for one connection; {@code spawn} creates the session actor. */
  public static Flow<Decoded, Outbox, NotUsed> create(
      Materializer mat, Settings.Limits limits, String description,
      Function<Connection, ActorRef<PlayerSession.Command>> spawn) {
    Pair<BoundedSourceQueue<ServerMessage>, Source<ServerMessage, NotUsed>> queue =
        Source.<ServerMessage>queue(limits.outboundQueue()).preMaterialize(mat);
    ActorRef<PlayerSession.Command> session = spawn.apply(new QueueConnection(queue.first(), description));

    Sink<Decoded, NotUsed> in = ActorSink.actorRefWithBackpressure(
        session,
        PlayerSession.FromClient::new,
        PlayerSession.ClientStarted::new,
        PlayerSession.Ack.INSTANCE,
        new PlayerSession.ClientClosed("client closed the connection"),
        err -> new PlayerSession.ClientClosed("connection failed: " + err.getMessage()));

    int maxWaiting = limits.outboundQueue();
    Source<Outbox, NotUsed> out = queue.second()
        .conflateWithSeed(m -> Outbox.of(m, maxWaiting), Outbox::add)
        .watchTermination((nu, done) -> {
          done.whenComplete((d, err) -> session.tell(new PlayerSession.OutboundClosed(
              err == null ? "closed by the server" : err.getMessage())));
          return nu;
        });
    return Flow.fromSinkAndSource(in, out);
  }

  /** The session's view of the outbound queue. */
  private record QueueConnection(BoundedSourceQueue<ServerMessage> queue, String description) implements Connection {
    @Override
    public boolean send(ServerMessage message) {
      QueueOfferResult r = queue.offer(message);
      return r == QueueOfferResult.enqueued() || r instanceof QueueOfferResult.QueueClosed$;
    }

    @Override
    public void close() {
      queue.complete();
    }

    @Override
    public String describe() {
      return description;
    }
  }
}
