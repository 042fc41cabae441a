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

  /** The client's address without the port ("127.0.0.1"), for per-address limits; from {@link #describe()} by default. */
  default String address() {
    String d = describe();
    int space = d.indexOf(' ');
    int colon = d.lastIndexOf(':');
    return d.substring(space + 1, colon > space ? colon : d.length());
  }
}
