package dev.tickroom.net;

import static org.apache.pekko.http.javadsl.server.Directives.extractClientIP;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

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
    return Flow.of(Message.class)
        .mapAsync(1, m -> decode(m, max, mat))
        .via(SessionFlow.create(mat, limits, metrics, "ws", description, spawn))
        .mapConcat(batch -> {
          List<Message> frames = new ArrayList<>(batch.messages().size());
          batch.messages().forEach(m -> frames.add(TextMessage.create(new String(Codec.encode(m), StandardCharsets.UTF_8))));
          return frames;
        });
  }

  /** One frame's message; a text message longer than the limit is read no further than the limit. */
  static CompletionStage<Decoded> decode(Message m, int max, Materializer mat) {
    if (!m.isText()) {
      m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), mat);
      return CompletableFuture.completedFuture(new Decoded.Invalid(ErrorCode.BAD_JSON, null,
          "binary frames are not part of the protocol: send each JSON object as a text frame"));
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) return CompletableFuture.completedFuture(decodeText(t.getStrictText(), max));
    return t.getStreamedText()
        .runFold(new StringBuilder(), (sb, chunk) -> sb.length() > max ? sb : sb.append(chunk), mat)
        .thenApply(sb -> decodeText(sb.toString(), max));
  }

  private static Decoded decodeText(String text, int max) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > max) {
      return new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, "a message may be at most " + max + " bytes; closing the connection");
    }
    return Codec.decode(bytes);
  }
}
