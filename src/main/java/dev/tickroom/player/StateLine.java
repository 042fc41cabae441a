package dev.tickroom.player;

import dev.tickroom.protocol.Delta;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;

/**
 * The one way the states of one room membership reach the client. The session opens a line when the room
 * answers a join (the client has just been shown that {@code joined}) and closes it before anything else
 * changes about the membership (leave, another join, the room's actor stopping, kick, close). States come
 * through it from two sides: the session passes on the states the room sends it as messages, and a room on
 * the session's own node, once handed the line, puts each tick's state in directly: one actor hop fewer per
 * member and tick (a fast path that bypasses the session actor).
 *
 * <p><b>Invariant</b>, whichever side offers and from whichever thread:
 * <ol>
 *   <li>once {@link #close()} has returned, nothing more from this line reaches the connection, so the
 *       session's next message to the client ({@code left}, a new {@code joined}) comes after every state of
 *       this membership;
 *   <li>the states it lets through have strictly increasing ticks, all above the tick of the {@code joined}
 *       that opened it, and acks that never decrease (PROTOCOL.md, "Re-sync").
 * </ol>
 * <b>Guard</b>: {@link #offer} and {@link #close} hold the line's lock; {@link #offer} checks {@code open},
 * the room, the tick and the ack, and queues the state while holding it. {@code FastPathStressTest} fails
 * when the open or the tick check is removed.
 */
final class StateLine implements RoomEntity.LocalStates {
  private final Connection connection;
  private final String roomId;
  private long lastTick;
  private long lastAck = Long.MIN_VALUE;
  private boolean open = true;

  /** @param joinedTick the tick of the {@code joined} the client was just shown */
  StateLine(Connection connection, String roomId, long joinedTick) {
    this.connection = connection;
    this.roomId = roomId;
    this.lastTick = joinedTick;
  }

  @Override
  public void offer(String room, long tick, long ack, byte[] view) {
    offer(room, tick, ack, view, null);
  }

  /** {@code delta} (may be null) lets a {@code patch} connection send the room's merge patch instead. */
  @Override
  public synchronized void offer(String room, long tick, long ack, byte[] view, Delta delta) {
    if (!open || !roomId.equals(room) || tick <= lastTick || ack < lastAck) return;
    lastTick = tick;
    lastAck = ack;
    // a state never makes a client too slow (a newer one replaces it), so the answer needs no check
    connection.send(new ServerMessage.State(room, tick, ack, view, delta));
  }

  synchronized void close() {
    open = false;
  }
}
