package dev.tickroom.game;

import java.util.Objects;

/** The stable identity of a player, kept across reconnects with a resume token. */
public record PlayerId(String value) implements Comparable<PlayerId> {
  public PlayerId {
    Objects.requireNonNull(value, "value");
  }

  public static PlayerId of(String value) {
    return new PlayerId(value);
  }

  @Override
  public int compareTo(PlayerId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
