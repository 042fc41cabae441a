package dev.tickroom.protocol;

import java.util.List;

/**
 * A message to a client (PROTOCOL.md, server -> client). Game state travels as already-encoded JSON bytes
 * ({@code stateJson}) so that a room encodes its state once per tick for all of its members.
 */
public sealed interface ServerMessage {
  /** {@code features}: what this server supports beyond v1 ({@link Features}). */
  record Welcome(String player, String node, String resume, List<String> features) implements ServerMessage {
    public Welcome(String player, String node, String resume) {
      this(player, node, resume, Features.supported());
    }
  }

  record Joined(String room, String game, String player, long tick, byte[] stateJson) implements ServerMessage {}

  /** {@code delta} (null when unknown) lets a {@code patch} connection send a merge patch instead. */
  record State(String room, long tick, long ack, byte[] stateJson, Delta delta) implements ServerMessage {
    public State(String room, long tick, long ack, byte[] stateJson) {
      this(room, tick, ack, stateJson, null);
    }
  }

  record Left(String room) implements ServerMessage {}

  /** {@code t} is raw JSON text, written back exactly as the client sent it. */
  record Pong(String t) implements ServerMessage {}

  record Chat(String room, String from, String text) implements ServerMessage {}

  record Reconnect(String reason, List<String> nodes) implements ServerMessage {}

  record Error(String code, String message) implements ServerMessage {}
}
