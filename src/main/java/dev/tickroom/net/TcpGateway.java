package dev.tickroom.net;

import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.protocol.Wire;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP game port: one JSON object per line in each direction (or length-prefixed CBOR documents after a
 * {@code cbor} hello), one session per connection; with TLS configured, TLS over TCP (Pekko Streams TLS) on
 * the same port.
 */
public final class TcpGateway {
  private static final Logger log = LoggerFactory.getLogger(TcpGateway.class);

  private TcpGateway() {}

  /**
   * Connections the kernel may hold for us before we accept them (Linux caps it at net.core.somaxconn).
   * With 1024, 262 of 10,000 lobby clients connecting at 1,000 a second were dropped while the node was
   * busy accepting; with 4096 none were ({@code deploy/bench.sh memory}).
   */
  private static final int ACCEPT_BACKLOG = 4096;

  /**
   * Binds the game port; the stage completes with the bound address.
   *
   * @param tls the server's TLS context, or null for plain TCP
   */
  public static CompletionStage<Tcp.ServerBinding> bind(
      ActorSystem<?> system, Settings settings, EdgeSettings.Net net, Metrics metrics, ConnectionGate gate, SSLContext tls,
      SessionFlow.Spawner spawn) {
    Materializer mat = Materializer.matFromSystem(system);
    List<Inet.SocketOption> options = socketOptions(settings, net);
    Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> connections = tls == null
        ? Tcp.get(system).bind(settings.gameHost(), settings.gamePort(), ACCEPT_BACKLOG, options, false, Optional.empty())
        : Tcp.get(system).bindWithTls(settings.gameHost(), settings.gamePort(), () -> serverEngine(tls),
            ACCEPT_BACKLOG, options, Optional.empty(), session -> Optional.empty(), TLSClosing.eagerClose());
    return connections
        .to(Sink.foreach(conn -> conn.handleWith(
            admitted(settings, net, metrics, gate, conn.remoteAddress(), tls != null, spawn), mat)))
        .run(mat);
  }

  private static SSLEngine serverEngine(SSLContext tls) {
    SSLEngine engine = tls.createSSLEngine();
    engine.setUseClientMode(false);
    return engine;
  }

  /** SO_SNDBUF if configured, and TCP keepalive tuned so that a vanished peer is noticed within a minute or so. */
  static List<Inet.SocketOption> socketOptions(Settings settings, EdgeSettings.Net net) {
    List<Inet.SocketOption> options = new ArrayList<>();
    if (settings.limits().socketSendBuffer() > 0) options.add(TcpSO.sendBufferSize(settings.limits().socketSendBuffer()));
    if (net.keepalive()) {
      options.add(TcpSO.keepAlive(true));
      options.add(new KeepaliveTuning((int) net.keepaliveIdle().toSeconds(), (int) net.keepaliveInterval().toSeconds(),
          net.keepaliveCount()));
    }
    return options;
  }

  /** The kernel's keepalive timing for one accepted socket (Linux and macOS; elsewhere the OS default). */
  private record KeepaliveTuning(int idleSeconds, int intervalSeconds, int count) implements Inet.SocketOption {
    @Override
    public void afterConnect(Socket s) {
      try {
        s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, Math.max(1, idleSeconds));
        s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, Math.max(1, intervalSeconds));
        s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, Math.max(1, count));
      } catch (UnsupportedOperationException | java.io.IOException e) {
        log.debug("cannot tune TCP keepalive on {}: {}", s, e.toString());
      }
    }
  }

  /** The connection's flow once it has a place under the caps; else one {@code server_busy} line and close. */
  static Flow<ByteString, ByteString, NotUsed> admitted(Settings settings, EdgeSettings.Net net, Metrics metrics,
      ConnectionGate gate, InetSocketAddress remote, boolean tls, SessionFlow.Spawner spawn) {
    String address = remote.getAddress().getHostAddress();
    String description = (tls ? "tls " : "tcp ") + address + ":" + remote.getPort();
    return gate.admit(address, description,
        reason -> Flow.fromSinkAndSourceCoupled(Sink.<ByteString>ignore(), Source.single(busyLine(reason))),
        () -> connectionFlow(settings, net, metrics, description, spawn));
  }

  static ByteString busyLine(String reason) {
    byte[] json = Codec.encode(new ServerMessage.Error(ErrorCode.SERVER_BUSY, reason + "; closing the connection"));
    return ByteString.fromArray(json).concat(ByteString.fromString("\n"));
  }

  static Flow<ByteString, ByteString, NotUsed> connectionFlow(
      Settings settings, EdgeSettings.Net net, Metrics metrics, String description, SessionFlow.Spawner spawn) {
    Settings.Limits limits = settings.limits();
    Wire wire = new Wire("tcp", true, metrics::bytesOut);
    return Flow.of(ByteString.class)
        .statefulMapConcat(() -> new WireFrames(limits.maxFrameBytes(), wire)::feed)
        .via(SessionFlow.create(limits, net, metrics, "tcp", description, spawn))
        .map(batch -> bytes(wire, batch));
  }

  /** A batch as one buffer for the socket, each message in the connection's sync and format. */
  static ByteString bytes(Wire wire, Outbox batch) {
    List<ServerMessage> ms = batch.messages();
    if (ms.size() == 1) return ByteString.fromArrayUnsafe(wire.encode(ms.get(0)).bytes());
    org.apache.pekko.util.ByteStringBuilder b = new org.apache.pekko.util.ByteStringBuilder();
    for (ServerMessage m : ms) b.putBytes(wire.encode(m).bytes());
    return b.result();
  }
}
