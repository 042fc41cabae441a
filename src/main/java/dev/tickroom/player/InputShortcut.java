package dev.tickroom.player;

import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.room.RoomEntity;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Lets a connection's stream hand the client's inputs straight to its room actor, instead of through the
 * session actor and the session's acknowledgement back to the stream: two thread hand-offs fewer for every
 * input (a fast path that bypasses the session actor). Every line goes through {@link #offer} first; the
 * ones it does not take go to the session, which answers them as always.
 *
 * <p><b>Invariant</b>: a client's lines take effect in the order sent, whichever way they go. An input
 * takes the shortcut only when
 * <ol>
 *   <li>the shortcut is open: the session opens it once the client has been shown {@code joined} and the
 *       room actor that answered is known, and closes it before anything changes where inputs go (leave,
 *       another join, the room's actor stopping, kick, close); and
 *   <li>no earlier line of the connection is still to take effect at the session: every line the shortcut
 *       passed to the session, and every line the session keeps for later ({@link #hold()}, e.g. an input
 *       sent while a join is answered), counts until the session calls {@link #handled()} for it.
 * </ol>
 * So an input right after a {@code leave} is answered {@code not_in_room}, and an input right after a
 * {@code join} waits at the session for the join's answer.
 *
 * <p><b>Guard</b>: every method holds the shortcut's lock; the count of lines at the session
 * ({@code atSession}) must be zero for an input to pass. The session calls {@link #handled()} exactly once
 * for each line it got and each line it held (a missing call only keeps inputs on the slow way; an extra
 * one would let an input overtake, so the count is never clamped). {@code FastPathStressTest} fails
 * when the guard is removed.
 *
 * <p>It also holds the connection's rate limit and last input seq, which both ways share. Thread-safe.
 */
public final class InputShortcut {
  private final RateLimiter limiter;
  private final LongSupplier nanoClock;
  private ActorRef<RoomEntity.Command> room;
  private String player;
  private long lastSeq = -1;
  /** Lines given to the session, or held by it, that have not taken effect yet. */
  private int atSession;

  public InputShortcut(double ratePerSecond, int burst, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.limiter = new RateLimiter(ratePerSecond, burst, nanoClock.getAsLong());
  }

  /**
   * Called by the stream for each decoded line: true when it was an input and went to the room; false when
   * the line must go to the session, which calls {@link #handled()} once it is done with it.
   */
  public synchronized boolean offer(Decoded line) {
    if (room != null && atSession == 0 && line instanceof ClientMessage.Input input && input.seq() > lastSeq
        && limiter.tryAcquire(nanoClock.getAsLong())) {
      lastSeq = input.seq();
      room.tell(new RoomEntity.Input(player, input.seq(), input.data()));
      return true;
    }
    // over the rate limit the session counts the strike and answers
    atSession++;
    return false;
  }

  /** The session is done with a line: the one the stream gave it, or one it held. */
  synchronized void handled() {
    atSession--;
  }

  /** The session keeps a line to handle later: until then, inputs must not overtake it. */
  synchronized void hold() {
    atSession++;
  }

  /** Takes a rate-limit token for a line the session handles. */
  synchronized boolean admit() {
    return limiter.tryAcquire(nanoClock.getAsLong());
  }

  synchronized long lastSeq() {
    return lastSeq;
  }

  synchronized void lastSeq(long seq) {
    lastSeq = seq;
  }

  synchronized void open(ActorRef<RoomEntity.Command> roomActor, String playerId) {
    room = roomActor;
    player = playerId;
  }

  synchronized void close() {
    room = null;
  }
}
