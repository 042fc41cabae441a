package dev.tickroom.player;

import dev.tickroom.protocol.Delta;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;

/**
 * One session's line for the states of one room, used by the room directly when both run on the same
 * node (and by the session for states that still come through it). It keeps states in tick order across
 * the two paths, and once the session has left the room, or the room moved, nothing more gets through:
 * the session closes it before it tells the client anything else.
 */
final class LocalStateLine implements RoomEntity.LocalStates {
  private final Connection connection;
  private final String roomId;
  private long lastTick = Long.MIN_VALUE;
  private boolean open = true;

  LocalStateLine(Connection connection, String roomId) {
    this.connection = connection;
    this.roomId = roomId;
  }

  @Override
  public void offer(String room, long tick, long ack, byte[] view) {
    offer(room, tick, ack, view, null);
  }

  @Override
  public synchronized void offer(String room, long tick, long ack, byte[] view, Delta delta) {
    if (!open || tick <= lastTick || !roomId.equals(room)) return;
    lastTick = tick;
    // a state never makes a client too slow (a newer one replaces it), so the answer needs no check
    connection.send(new ServerMessage.State(room, tick, ack, view, delta));
  }

  synchronized void close() {
    open = false;
  }
}
