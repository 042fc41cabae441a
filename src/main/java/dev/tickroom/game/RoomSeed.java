package dev.tickroom.game;

import java.util.Map;

/**
 * Everything a game may use to create a room's state: the room id, a seed for its random numbers and
 * optional parameters. The same seed gives the same game, which is what makes games testable.
 */
public record RoomSeed(String roomId, long seed, Map<String, String> params) {
  public RoomSeed {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  public static RoomSeed of(String roomId, long seed) {
    return new RoomSeed(roomId, seed, Map.of());
  }

  /** A fresh random generator seeded from this room. */
  public Rng rng() {
    return new Rng(seed);
  }
}
