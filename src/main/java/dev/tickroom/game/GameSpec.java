package dev.tickroom.game;

/**
 * What the room needs to know about a game before it creates one.
 *
 * @param name the registered name, as clients send it in {@code join.game}
 * @param tickHz ticks per second, 1..60
 * @param maxPlayers members a room of this game admits
 * @param sharedView true when every member sees the same view, so the room encodes it once per tick
 */
public record GameSpec(String name, int tickHz, int maxPlayers, boolean sharedView) {
  public GameSpec {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("name is required");
    if (tickHz < 1 || tickHz > 60) throw new IllegalArgumentException("tickHz must be 1..60, was " + tickHz);
    if (maxPlayers < 1) throw new IllegalArgumentException("maxPlayers must be >= 1, was " + maxPlayers);
  }
}
