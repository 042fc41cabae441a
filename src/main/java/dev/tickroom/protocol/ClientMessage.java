package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A well-formed message from a client (PROTOCOL.md, client -> server). */
public sealed interface ClientMessage extends Decoded {
  /**
   * First message of a session; {@code resume} is null or a token from an earlier {@code welcome};
   * {@code sync} is "full" or "patch", {@code format} "json" or "cbor" (PROTOCOL.md, v1.1);
   * {@code token} is null or the credential for the node's authenticator (v1.1 {@code auth}).
   */
  record Hello(String name, String resume, String sync, String format, String token) implements ClientMessage {
    public Hello(String name, String resume) {
      this(name, resume, "full", "json", null);
    }

    public Hello(String name, String resume, String sync, String format) {
      this(name, resume, sync, format, null);
    }

    public Hello(String name, String resume, String token) {
      this(name, resume, "full", "json", token);
    }

    public boolean patch() {
      return "patch".equals(sync);
    }

    public boolean cbor() {
      return "cbor".equals(format);
    }

    @Override
    public String toString() {
      return "Hello[" + name + ", " + sync + ", " + format + "]"; // credentials stay out of logs
    }
  }

  /** Enter a room, creating it with {@code game} (null: the default game) if it does not exist. */
  record Join(String room, String game) implements ClientMessage {}

  /** A game input, applied at the room's next tick. */
  record Input(long seq, JsonNode data) implements ClientMessage {}

  enum Leave implements ClientMessage { INSTANCE }

  /** {@code t} is the exact JSON text the client sent, echoed back unchanged in {@code pong}. */
  record Ping(String t) implements ClientMessage {}

  record Chat(String text) implements ClientMessage {}
}
