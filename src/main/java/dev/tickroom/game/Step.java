package dev.tickroom.game;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The result of one call into a game: the new state, errors to send to single players, players to remove
 * from the room, and whether the game has finished. Build one with {@link #of} and the chained methods.
 */
public final class Step<S> {
  /** An error for one player, e.g. {@code not_your_turn}; it reaches the client as an {@code error} line. */
  public record Notice(PlayerId to, String code, String message) {}

  private final S state;
  private List<Notice> notices = List.of();
  private List<PlayerId> kicks = List.of();
  private boolean finished;

  private Step(S state) {
    this.state = state;
  }

  public static <S> Step<S> of(S state) {
    return new Step<>(state);
  }

  /** Tell one player about a rejected input or another game event. */
  public Step<S> error(PlayerId to, String code, String message) {
    if (notices.isEmpty()) notices = new ArrayList<>(2);
    notices.add(new Notice(to, code, message));
    return this;
  }

  /** Remove a player from the room after this step. */
  public Step<S> kick(PlayerId who) {
    if (kicks.isEmpty()) kicks = new ArrayList<>(2);
    kicks.add(who);
    return this;
  }

  /** Mark the game as over; the room keeps its members and its last state until they leave. */
  public Step<S> finish() {
    finished = true;
    return this;
  }

  public S state() {
    return state;
  }

  public List<Notice> notices() {
    return Collections.unmodifiableList(notices);
  }

  public List<PlayerId> kicks() {
    return Collections.unmodifiableList(kicks);
  }

  public boolean finished() {
    return finished;
  }
}
