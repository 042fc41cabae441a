package dev.tickroom.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.protocol.Cbor;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.MergePatch;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client that speaks a chosen {@code sync} and {@code format} over TCP or WebSocket and keeps the room
 * state the way a real client must: the full state of {@code joined} or of a full {@code state}, patched by
 * each {@code patch}. It records the state it holds after every tick.
 */
final class SyncClient implements AutoCloseable {
  private final boolean cbor;
  private final Transport transport;
  private final Cbor.Encoder encoder = new Cbor.Encoder();
  private final Cbor.Decoder decoder = new Cbor.Decoder();
  private boolean cborIn;
  private boolean cborOut;
  JsonNode state;
  /** tick -> the state held after it, nulls removed (the null rule). */
  final Map<Long, JsonNode> byTick = new LinkedHashMap<>();
  int patches;
  int fulls;
  /** Bytes received after {@code welcome}. */
  long bytes;

  private interface Transport extends AutoCloseable {
    void send(byte[] bytes, boolean binary);

    /** The next message's bytes; JSON ones without their line end. */
    byte[] next(boolean cbor, Duration timeout) throws IOException;

    @Override
    void close();
  }

  static SyncClient tcp(InetSocketAddress address, String format, int receiveBuffer) {
    return new SyncClient(format, new Tcp(address, receiveBuffer));
  }

  static SyncClient ws(URI uri, String format) {
    return new SyncClient(format, new Ws(uri));
  }

  private SyncClient(String format, Transport transport) {
    this.cbor = "cbor".equals(format);
    this.transport = transport;
  }

  /** Says hello with {@code sync} and this client's format; returns the player id. */
  String hello(String name, String sync) throws IOException {
    send("{\"type\":\"hello\",\"name\":\"" + name + "\",\"sync\":\"" + sync + "\",\"format\":\"" + (cbor ? "cbor" : "json") + "\"}");
    cborOut = cbor;
    JsonNode w = next();
    if (!"welcome".equals(w.path("type").asText())) throw new AssertionError("expected welcome: " + w);
    if (!w.path("features").toString().contains("\"patch\"") || !w.path("features").toString().contains("\"cbor\"")) {
      throw new AssertionError("welcome.features lists patch and cbor: " + w);
    }
    cborIn = cbor;
    bytes = 0; // count what comes after welcome: the connection's own sync and format
    return w.get("player").asText();
  }

  void send(String json) {
    if (!cborOut) {
      transport.send((json + "\n").getBytes(StandardCharsets.UTF_8), false);
      return;
    }
    try {
      JsonNode tree = Codec.MAPPER.readTree(json);
      transport.send(transport instanceof Tcp ? encoder.encodeFramed(tree) : encoder.encode(tree), true);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The next message as JSON, after it updated the state this client holds. */
  JsonNode next() throws IOException {
    byte[] b = transport.next(cborIn, Duration.ofSeconds(10));
    if (b == null) throw new AssertionError("connection closed");
    bytes += b.length;
    JsonNode m;
    try {
      m = cborIn ? decoder.decode(b) : Codec.MAPPER.readTree(b);
    } catch (Cbor.MalformedException e) {
      throw new AssertionError(e);
    }
    String type = m.path("type").asText();
    if ("joined".equals(type)) {
      state = m.get("state");
    } else if ("state".equals(type)) {
      if (m.has("patch")) {
        if (state == null) throw new AssertionError("a patch before any full state: " + m);
        state = MergePatch.apply(state, m.get("patch"));
        patches++;
      } else {
        state = m.get("state");
        fulls++;
      }
      byTick.put(m.get("tick").asLong(), MergePatch.stripNulls(state));
    }
    return m;
  }

  /** Sends raw bytes: one binary frame on WebSocket, as they are on TCP. */
  void sendRaw(byte[] bytes) {
    transport.send(bytes, true);
  }

  /** True when the server closes the connection (messages before that are read and skipped). */
  boolean closed() throws IOException {
    for (int i = 0; i < 1000; i++) {
      byte[] b;
      try {
        b = transport.next(cborIn, Duration.ofSeconds(10));
      } catch (java.net.SocketException reset) {
        return true;
      }
      if (b == null) return true;
    }
    return false;
  }

  JsonNode await(String type) throws IOException {
    for (int i = 0; i < 1000; i++) {
      JsonNode m = next();
      if (type.equals(m.path("type").asText())) return m;
    }
    throw new AssertionError("no " + type);
  }

  @Override
  public void close() {
    transport.close();
  }

  private static final class Tcp implements Transport {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Tcp(InetSocketAddress address, int receiveBuffer) {
      try {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 5000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), receiveBuffer > 0 ? 512 : 1 << 16);
        out = socket.getOutputStream();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public synchronized void send(byte[] bytes, boolean binary) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public byte[] next(boolean cbor, Duration timeout) throws IOException {
      socket.setSoTimeout((int) timeout.toMillis());
      if (!cbor) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
          if (b < 0) return null;
          line.write(b);
        }
        return line.toByteArray();
      }
      int ib = in.read();
      if (ib < 0) return null;
      int ai = ib & 0x1f;
      long len = ai < 24 ? ai : 0;
      int extra = ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : 0;
      if (ib >>> 5 != 0 || ai > 26) throw new AssertionError("bad length head " + ib);
      for (int i = 0; i < extra; i++) len = (len << 8) | in.read();
      return in.readNBytes((int) len);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static final class Ws implements Transport {
    private static final byte[] CLOSED = new byte[0];
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final WebSocket ws;

    Ws(URI uri) {
      WebSocket.Listener listener = new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            received.add(text.toString().getBytes(StandardCharsets.UTF_8));
            text.setLength(0);
          }
          w.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
          byte[] b = new byte[data.remaining()];
          data.get(b);
          binary.writeBytes(b);
          if (last) {
            received.add(binary.toByteArray());
            binary.reset();
          }
          w.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
          received.add(CLOSED);
          return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
          received.add(CLOSED);
        }
      };
      try {
        ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public synchronized void send(byte[] bytes, boolean binary) {
      try {
        if (binary) ws.sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
        else ws.sendText(new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8), true).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public byte[] next(boolean cbor, Duration timeout) {
      try {
        byte[] m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("no message within " + timeout);
        return m == CLOSED ? null : m;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      ws.abort();
    }
  }
}
