package dev.tickroom.game;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One player input as the client sent it: its sequence number and the game-specific {@code data} object,
 * and {@code value}: {@code data} decoded into the game's {@link Game#inputType()} (null without one).
 */
public record Input(PlayerId player, long seq, JsonNode data, Object value) {
  public Input(PlayerId player, long seq, JsonNode data) {
    this(player, seq, data, null);
  }

  /** An input whose data is already the game's typed value (tests). */
  public static Input of(PlayerId player, long seq, Object value) {
    return new Input(player, seq, GameJson.MAPPER.valueToTree(value), value);
  }

  /** The decoded input; decodes {@code data} here when the server did not (a test built a raw Input). */
  public <T> T value(Class<T> type) {
    if (type.isInstance(value)) return type.cast(value);
    return GameJson.decode(data, type);
  }
}
