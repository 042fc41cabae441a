package dev.tickroom.game;

/** A game's answer to a player who wants to join: accepted, or rejected with an error code and reason. */
public record Admission(boolean accepted, String code, String message) {
  private static final Admission ACCEPT = new Admission(true, null, null);

  public static Admission accept() {
    return ACCEPT;
  }

  public static Admission reject(String code, String message) {
    return new Admission(false, code, message);
  }
}
