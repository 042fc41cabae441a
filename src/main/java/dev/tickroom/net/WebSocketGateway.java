package dev.tickroom.net;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractWebSocketUpgrade;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.protocol.Wire;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * WebSocket transport on {@code /ws}: the protocol's JSON objects as text frames, one object per frame.
 * Everything after framing (session, limits, conflation) is the same {@link SessionFlow} as TCP.
 *
 * <p>A request that is not a WebSocket upgrade is rejected (400) before anything is built for it; a real
 * upgrade gets its session only when the upgraded connection's flow starts, after its place under the
 * connection caps is taken ({@link ConnectionGate}).
 */
public final class WebSocketGateway {
  private WebSocketGateway() {}

  public static Route route(Materializer mat, Settings settings, EdgeSettings.Net net, Metrics metrics, ConnectionGate gate,
      SessionFlow.Spawner spawn) {
    return path("ws", () -> extractWebSocketUpgrade(upgrade -> extractRequest(request -> {
      RemoteAddress peer = request.getAttribute(AttributeKeys.remoteAddress).orElse(null);
      InetAddress client = clientAddress(request, peer, net);
      String address = client == null ? "?" : client.getHostAddress();
      InetAddress proxy = peer == null ? null : peer.getAddress().orElse(null);
      String description = client != null && client.equals(proxy)
          ? "ws " + address + ":" + peer.getPort()
          : "ws " + address + " via " + (proxy == null ? "?" : proxy.getHostAddress());
      return complete(upgrade.handleMessagesWith(gate.admit(address, description,
          reason -> Flow.fromSinkAndSourceCoupled(Sink.<Message>ignore(), Source.single(busyMessage(reason))),
          () -> connectionFlow(mat, settings, net, metrics, description, spawn))));
    })));
  }

  /** The socket's peer, or for a trusted proxy the client it forwards for. */
  static InetAddress clientAddress(HttpRequest request, RemoteAddress peer, EdgeSettings.Net net) {
    InetAddress p = peer == null ? null : peer.getAddress().orElse(null);
    if (p == null) return null;
    List<String> forwarded = new ArrayList<>(1);
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("x-forwarded-for")) forwarded.add(h.value());
    }
    return ClientAddress.resolve(p, forwarded, net.trustedProxies());
  }

  static Message busyMessage(String reason) {
    return TextMessage.create(new String(Codec.encode(
        new ServerMessage.Error(ErrorCode.SERVER_BUSY, reason + "; closing the connection")), StandardCharsets.UTF_8));
  }

  static Flow<Message, Message, NotUsed> connectionFlow(Materializer mat, Settings settings, EdgeSettings.Net net, Metrics metrics,
      String description, SessionFlow.Spawner spawn) {
    Settings.Limits limits = settings.limits();
    int max = limits.maxFrameBytes();
    Wire wire = new Wire("ws", false, metrics::bytesOut);
    return Flow.of(Message.class)
        .mapAsync(1, m -> decode(m, max, mat, wire))
        .via(SessionFlow.create(limits, net, metrics, "ws", description, spawn))
        .mapConcat(batch -> {
          List<Message> frames = new ArrayList<>(batch.messages().size());
          for (ServerMessage m : batch.messages()) {
            Wire.Out out = wire.encode(m);
            frames.add(out.binary()
                ? BinaryMessage.create(ByteString.fromArrayUnsafe(out.bytes()))
                : TextMessage.create(new String(out.bytes(), StandardCharsets.UTF_8)));
          }
          return frames;
        });
  }

  /**
   * One message, decoded. A fragmented message is read with a running count of its bytes (UTF-8 bytes for
   * text) and refused ({@code frame_too_large}) as soon as its fragments pass the limit, without waiting for
   * its end. Text frames are JSON; binary frames are CBOR documents once the client's hello chose
   * {@code cbor}. The first valid hello is shown to {@code wire} before the next frame is read.
   */
  static CompletionStage<Decoded> decode(Message m, int max, Materializer mat, Wire wire) {
    if (!m.isText()) {
      if (!wire.cborIn()) {
        m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), mat);
        return CompletableFuture.completedFuture(new Decoded.Invalid(ErrorCode.BAD_JSON, null,
            "binary frames are for the cbor format, chosen in hello: send each JSON object as a text frame"));
      }
      BinaryMessage bin = m.asBinaryMessage();
      if (bin.isStrict()) return CompletableFuture.completedFuture(decodeBinary(bin.getStrictData(), max, wire));
      // a running count, refused as soon as it passes the limit (the bytes beyond it are not kept)
      return bin.getStreamedData()
          .scan(new PartialBytes(), PartialBytes::add)
          .takeWhile(p -> p.bytes <= max, true)
          .runWith(Sink.last(), mat)
          .thenApply(p -> p.bytes > max ? tooLarge(max) : decodeBinary(p.data, max, wire));
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) return CompletableFuture.completedFuture(seen(decodeText(t.getStrictText(), max), wire));
    return t.getStreamedText()
        .scan(new Partial(max), Partial::add)
        .takeWhile(p -> p.bytes <= max, true)
        .runWith(Sink.last(), mat)
        .thenApply(p -> seen(p.bytes > max ? tooLarge(max) : Codec.decode(p.text.toString().getBytes(StandardCharsets.UTF_8)), wire));
  }

  private static Decoded seen(Decoded d, Wire wire) {
    wire.inbound(d);
    return d;
  }

  private static Decoded decodeBinary(ByteString data, int max, Wire wire) {
    if (data.size() > max) return tooLarge(max);
    byte[] bytes = data.toArray();
    return wire.decodeCbor(bytes, 0, bytes.length);
  }

  /** A streamed binary message so far: its bytes, and how many there were (immutable, one per fragment). */
  private static final class PartialBytes {
    final ByteString data;
    final long bytes;

    PartialBytes() {
      this(ByteString.emptyByteString(), 0);
    }

    private PartialBytes(ByteString data, long bytes) {
      this.data = data;
      this.bytes = bytes;
    }

    PartialBytes add(ByteString chunk) {
      long n = bytes + chunk.size();
      return new PartialBytes(n <= Integer.MAX_VALUE / 2 && n <= 1 << 20 ? data.concat(chunk) : data, n);
    }
  }

  /** A streamed message so far: its text while within the limit, and its length in UTF-8 bytes. */
  private static final class Partial {
    final StringBuilder text = new StringBuilder();
    final int max;
    long bytes;

    Partial(int max) {
      this.max = max;
    }

    Partial add(String chunk) {
      bytes += utf8Length(chunk);
      if (bytes <= max) text.append(chunk);
      return this;
    }
  }

  /** UTF-8 length of a piece of text; a surrogate pair (split across pieces or not) counts 4 bytes. */
  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (Character.isSurrogate(c)) n += 2;
      else n += 3;
    }
    return n;
  }

  private static Decoded tooLarge(int max) {
    return new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "a message may be at most " + max + " bytes; closing the connection");
  }

  private static Decoded decodeText(String text, int max) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > max) return tooLarge(max);
    return Codec.decode(bytes);
  }
}
