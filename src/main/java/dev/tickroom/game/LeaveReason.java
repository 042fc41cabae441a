package dev.tickroom.game;

/** Why a player left a room. */
public enum LeaveReason {
  /** The player sent {@code leave}, or joined another room. */
  LEFT,
  /** The connection ended; the player may come back with a resume token within the grace period. */
  DISCONNECTED,
  /** The game or the server removed the player. */
  KICKED
}
