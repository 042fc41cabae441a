package dev.tickroom.net;

import static org.apache.pekko.http.javadsl.server.Directives.extractClientIP;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * WebSocket transport on {@code /ws}: the protocol's JSON objects as text frames, one object per frame.
 * Everything after framing (session, limits, conflation) is the same {@link SessionFlow} as TCP.
 */
public final class WebSocketGateway {
  private WebSocketGateway() {}

  public static Route route(Materializer mat, Settings.Limits limits, Metrics metrics,
      SessionFlow.Spawner spawn) {
    return path("ws", () -> extractClientIP(ip -> handleWebSocketMessages(
        connectionFlow(mat, limits, metrics, "ws " + ip.getAddress().map(a -> a.getHostAddress()).orElse("?") + ":" + ip.getPort(), spawn))));
  }

  static Flow<Message, Message, NotUsed> connectionFlow(Materializer mat, Settings.Limits limits, Metrics metrics,
      String description, SessionFlow.Spawner spawn) {
    int max = limits.maxFrameBytes();
    Wire wire = new Wire("ws", false, metrics::bytesOut);
    return Flow.of(Message.class)
        .mapAsync(1, m -> decode(m, max, mat, wire))
        .via(SessionFlow.create(mat, limits, metrics, "ws", description, spawn))
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
   * One frame's message; a message longer than the limit is read no further than the limit. Text frames are
   * JSON; binary frames are CBOR documents once the client's hello chose {@code cbor}. The first valid hello
   * is shown to {@code wire} before the next frame is read.
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
      return bin.getStreamedData()
          .runFold(ByteString.emptyByteString(), (acc, chunk) -> acc.size() > max ? acc : acc.concat(chunk), mat)
          .thenApply(data -> decodeBinary(data, max, wire));
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) return CompletableFuture.completedFuture(seen(decodeText(t.getStrictText(), max), wire));
    return t.getStreamedText()
        .runFold(new StringBuilder(), (sb, chunk) -> sb.length() > max ? sb : sb.append(chunk), mat)
        .thenApply(sb -> seen(decodeText(sb.toString(), max), wire));
  }

  private static Decoded seen(Decoded d, Wire wire) {
    wire.inbound(d);
    return d;
  }

  private static Decoded decodeBinary(ByteString data, int max, Wire wire) {
    if (data.size() > max) {
      return new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "a message may be at most " + max + " bytes; closing the connection");
    }
    byte[] bytes = data.toArray();
    return wire.decodeCbor(bytes, 0, bytes.length);
  }

  private static Decoded decodeText(String text, int max) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > max) {
      return new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "a message may be at most " + max + " bytes; closing the connection");
    }
    return Codec.decode(bytes);
  }
}
