package dev.tickroom.net;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Wire;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The TCP game port: one JSON object per line in each direction (or length-prefixed CBOR documents after a
 * {@code cbor} hello), one session per connection.
 */
public final class TcpGateway {
  private TcpGateway() {}

  /**
   * Connections the kernel may hold for us before we accept them (Linux caps it at net.core.somaxconn).
   * With 1024, 262 of 10,000 lobby clients connecting at 1,000 a second were dropped while the node was
   * busy accepting; with 4096 none were ({@code deploy/bench.sh memory}).
   */
  private static final int ACCEPT_BACKLOG = 4096;

  /** Binds the game port; the stage completes with the bound address. */
  public static CompletionStage<Tcp.ServerBinding> bind(
      ActorSystem<?> system, Settings settings, Metrics metrics, SessionFlow.Spawner spawn) {
    Materializer mat = Materializer.matFromSystem(system);
    Settings.Limits limits = settings.limits();
    List<Inet.SocketOption> options = new ArrayList<>();
    if (limits.socketSendBuffer() > 0) options.add(TcpSO.sendBufferSize(limits.socketSendBuffer()));
    return Tcp.get(system)
        .bind(settings.gameHost(), settings.gamePort(), ACCEPT_BACKLOG, options, false, Optional.empty())
        .to(Sink.foreach(conn -> conn.handleWith(connectionFlow(mat, limits, metrics, conn.remoteAddress(), spawn), mat)))
        .run(mat);
  }

  static Flow<ByteString, ByteString, ?> connectionFlow(
      Materializer mat, Settings.Limits limits, Metrics metrics, InetSocketAddress remote,
      SessionFlow.Spawner spawn) {
    String description = "tcp " + remote.getAddress().getHostAddress() + ":" + remote.getPort();
    Wire wire = new Wire("tcp", true, metrics::bytesOut);
    return Flow.of(ByteString.class)
        .statefulMapConcat(() -> new WireFrames(limits.maxFrameBytes(), wire)::feed)
        .via(SessionFlow.create(mat, limits, metrics, "tcp", description, spawn))
        .map(batch -> bytes(wire, batch));
  }

  /** A batch as one buffer for the socket, each message in the connection's sync and format. */
  static ByteString bytes(Wire wire, Outbox batch) {
    List<dev.tickroom.protocol.ServerMessage> ms = batch.messages();
    if (ms.size() == 1) return ByteString.fromArrayUnsafe(wire.encode(ms.get(0)).bytes());
    org.apache.pekko.util.ByteStringBuilder b = new org.apache.pekko.util.ByteStringBuilder();
    for (dev.tickroom.protocol.ServerMessage m : ms) b.putBytes(wire.encode(m).bytes());
    return b.result();
  }
}
