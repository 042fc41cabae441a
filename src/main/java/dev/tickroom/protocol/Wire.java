package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One connection's encoding state, both directions (PROTOCOL.md, "Compact state sync" and "Binary format"):
 * the {@code sync} and {@code format} its first valid {@code hello} chose, the version of the last state its
 * client received (so a patch goes out only when it applies to exactly what the client holds), and the
 * string tables of the {@code cbor} format.
 *
 * <p>Two threads use it, each its own half: the inbound stage ({@link #inbound}, {@link #decodeCbor}) and
 * the outbound stage ({@link #encode}). The inbound half hands the choice to the outbound half through
 * volatile fields; the outbound half applies it right after it encoded {@code welcome}, the session's answer
 * to that hello, so {@code welcome} and everything before it stay JSON.
 */
public final class Wire {
  /** Where the bytes sent go: counted per connection class and per room. */
  @FunctionalInterface
  public interface Meter {
    void bytesOut(String transport, String sync, String format, String room, int bytes);
  }

  /** One encoded message: its bytes and whether they are a {@code cbor} document (a binary WebSocket frame). */
  public record Out(byte[] bytes, boolean binary) {}

  private final String transport;
  private final boolean lengthPrefixed;
  private final Meter meter;

  // inbound half
  private boolean helloSeen;
  private boolean cborIn;
  private final Cbor.Decoder decoder = new Cbor.Decoder();
  private volatile ClientMessage.Hello chosen;

  // outbound half
  private boolean patch;
  private boolean cborOut;
  private Cbor.Encoder encoder;
  private long lastVersion;

  /**
   * @param lengthPrefixed true on TCP: JSON messages end with a newline, CBOR documents get a length head
   */
  public Wire(String transport, boolean lengthPrefixed, Meter meter) {
    this.transport = transport;
    this.lengthPrefixed = lengthPrefixed;
    this.meter = meter;
  }

  // ------------------------------------------------------------------ inbound

  /**
   * Sees every message decoded from the client, in order; returns true when it is the first valid hello
   * and asks for {@code cbor}: the client's bytes after it are CBOR documents.
   */
  public boolean inbound(Decoded message) {
    if (helloSeen || !(message instanceof ClientMessage.Hello hello)) return false;
    helloSeen = true;
    chosen = hello;
    cborIn = hello.cbor();
    return cborIn;
  }

  /** Whether the first valid hello has been seen: the client's format can no longer change. */
  public boolean decided() {
    return helloSeen;
  }

  /** Whether the client's messages are now CBOR documents. */
  public boolean cborIn() {
    return cborIn;
  }

  /** Decodes one CBOR document from the client; never throws. */
  public Decoded decodeCbor(byte[] buf, int off, int len) {
    JsonNode doc;
    try {
      doc = decoder.decode(buf, off, len);
    } catch (Cbor.MalformedException e) {
      return new Decoded.Invalid(ErrorCode.BAD_JSON, null, "a message must be exactly one CBOR map: " + e.getMessage());
    }
    return Codec.decodeTree(doc);
  }

  // ------------------------------------------------------------------ outbound

  /** Encodes one message for this connection, in the order they are sent. */
  public Out encode(ServerMessage m) {
    boolean asPatch = false;
    String room = null;
    if (m instanceof ServerMessage.State s) {
      room = s.room();
      Delta d = s.delta();
      asPatch = patch && d != null && d.patch() != null && d.base() == lastVersion && lastVersion != 0;
      lastVersion = d != null ? d.version() : 0;
    } else if (m instanceof ServerMessage.Joined j) {
      room = j.room();
      lastVersion = 0;
    }
    byte[] bytes;
    boolean binary = cborOut;
    if (cborOut) {
      JsonNode tree = Codec.toTree(m, asPatch);
      bytes = lengthPrefixed ? encoder.encodeFramed(tree) : encoder.encode(tree);
    } else if (lengthPrefixed && m instanceof ServerMessage.State s) {
      bytes = Codec.encodeStateLine(s, asPatch); // the hot path: no copy to add the newline
    } else {
      byte[] json;
      if (asPatch) {
        ServerMessage.State s = (ServerMessage.State) m;
        json = Codec.encodeStatePatch(s.room(), s.tick(), s.ack(), s.delta().patch());
      } else {
        json = Codec.encode(m);
      }
      if (lengthPrefixed) {
        bytes = java.util.Arrays.copyOf(json, json.length + 1);
        bytes[json.length] = '\n';
      } else {
        bytes = json;
      }
    }
    if (meter != null) meter.bytesOut(transport, patch ? "patch" : "full", binary ? "cbor" : "json", room, bytes.length);
    if (m instanceof ServerMessage.Welcome) {
      ClientMessage.Hello hello = chosen;
      if (hello != null) {
        patch = hello.patch();
        if (hello.cbor() && !cborOut) {
          cborOut = true;
          encoder = new Cbor.Encoder();
        }
      }
    }
    return new Out(bytes, binary);
  }
}
