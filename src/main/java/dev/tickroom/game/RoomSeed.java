package dev.tickroom.game;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Everything a game may use to create a room's state: the room id, a seed for its random numbers, optional
 * parameters and the {@code options} object of the join that created the room (null if none). The same
 * seed gives the same game, which is what makes games testable.
 */
public record RoomSeed(String roomId, long seed, Map<String, String> params, JsonNode options) {
  public RoomSeed {
    params = params == null ? Map.of() : Map.copyOf(params);
    options = options == null ? null : options.deepCopy();
  }

  public RoomSeed(String roomId, long seed, Map<String, String> params) {
    this(roomId, seed, params, null);
  }

  public static RoomSeed of(String roomId, long seed) {
    return new RoomSeed(roomId, seed, Map.of(), null);
  }

  /** A fresh random generator seeded from this room. */
  public Rng rng() {
    return new Rng(seed);
  }
}
