package dev.tickroom.net;

import dev.tickroom.config.Settings;
import dev.tickroom.player.Connection;
import dev.tickroom.player.PlayerSession;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/** The TCP game port: one JSON object per line in each direction, one session per connection. */
public final class TcpGateway {
  private TcpGateway() {}

  /** Binds the game port; the stage completes with the bound address. */
  public static CompletionStage<Tcp.ServerBinding> bind(
      ActorSystem<?> system, Settings settings, Function<Connection, ActorRef<PlayerSession.Command>> spawn) {
    Materializer mat = Materializer.matFromSystem(system);
    Settings.Limits limits = settings.limits();
    return Tcp.get(system)
        .bind(settings.gameHost(), settings.gamePort())
        .to(Sink.foreach(conn -> conn.handleWith(connectionFlow(mat, limits, conn.remoteAddress(), spawn), mat)))
        .run(mat);
  }

  static Flow<ByteString, ByteString, ?> connectionFlow(
      Materializer mat, Settings.Limits limits, InetSocketAddress remote,
      Function<Connection, ActorRef<PlayerSession.Command>> spawn) {
    String description = "tcp " + remote.getAddress().getHostAddress() + ":" + remote.getPort();
    return Flow.of(ByteString.class)
        .statefulMapConcat(() -> new LineSplitter(limits.maxFrameBytes())::feed)
        .via(SessionFlow.create(mat, limits, description, spawn))
        .map(Outbox::toLines);
  }
}
