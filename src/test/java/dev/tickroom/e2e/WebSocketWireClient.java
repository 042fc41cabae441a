package dev.tickroom.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client for tests (the JDK's): one JSON object per text frame. */
public final class WebSocketWireClient implements WireClient {
  private static final String CLOSED = "\u0000closed";
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final WebSocket ws;

  public WebSocketWireClient(URI uri) {
    this(uri, HttpClient.newHttpClient(), Map.of());
  }

  /** With extra request headers (e.g. X-Forwarded-For) and a client of one's own (e.g. one trusting a test CA). */
  public WebSocketWireClient(URI uri, HttpClient http, Map<String, String> headers) {
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          received.add(partial.toString());
          partial.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        received.add(CLOSED);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        received.add(CLOSED);
      }
    };
    try {
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
      headers.forEach(builder::header);
      ws = builder.buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot connect to " + uri, e);
    }
  }

  @Override
  public void send(String json) {
    sendPart(json, true);
  }

  /** Sends one fragment of a text message. */
  public void sendPart(String text, boolean last) {
    try {
      ws.sendText(text, last).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  @Override
  public String nextRaw(Duration timeout) {
    try {
      String m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) throw new AssertionError("no message within " + timeout);
      return m == CLOSED ? null : m;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void abort() {
    ws.abort();
  }

  @Override
  public void close() {
    ws.abort();
  }
}
