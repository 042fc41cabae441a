package dev.tickroom.player;

import dev.tickroom.protocol.ServerMessage;

/**
 * The outbound side of one client connection, as a session sees it. The transport (TCP or WebSocket)
 * implements it with a bounded queue that conflates states: a newer {@code state} replaces an unsent one.
 */
public interface Connection {
  /**
   * Queues a message; false when the client is too slow: too many messages wait for it. A newer state
   * replaces an unsent one, so states alone never make a client too slow.
   */
  boolean send(ServerMessage message);

  /** Sends what is queued, then closes the connection. */
  void close();

  /** Drops the connection at once, unsent messages included: for a client that cannot keep up. */
  void abort(String reason);

  /** Who is at the other end, for logs: "tcp 127.0.0.1:53422". */
  String describe();

  /**
   * The client's address without the port ("127.0.0.1"), for per-address limits: by default the second word of
   * {@link #describe()} ("tcp 127.0.0.1:53422", "ws 203.0.113.9 via 10.0.0.2" behind a trusted proxy).
   */
  default String address() {
    String[] words = describe().split(" ");
    if (words.length < 2) return describe();
    if (words.length > 2) return words[1]; // "via <proxy>": the client's address came without a port
    int colon = words[1].lastIndexOf(':');
    return colon > 0 ? words[1].substring(0, colon) : words[1];
  }
}
