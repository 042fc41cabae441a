package dev.tickroom.player;

import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.room.RoomEntity;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Lets a connection's stream hand the client's inputs straight to its room actor, instead of through the
 * session actor and the session's acknowledgement back to the stream: two thread hand-offs fewer for every
 * input. The session opens it once its room confirmed the join and closes it before anything that changes
 * where inputs go (leave, another join, the room moving, closing). An input the shortcut does not take
 * (not in a room, seq not increasing, over the rate limit) goes to the session as before, which answers
 * it. While any line given to the session has not been handled yet, inputs go to the session too (the
 * stream passes lines on before the session is done with the previous ones), so a client's lines keep
 * their order whichever way they go: an input right after a leave is answered {@code not_in_room}.
 *
 * <p>It also holds the connection's rate limit and last input seq, which both paths share. Thread-safe.
 */
public final class InputShortcut {
  private final RateLimiter limiter;
  private final LongSupplier nanoClock;
  private ActorRef<RoomEntity.Command> room;
  private String player;
  private long lastSeq = -1;
  /** Lines the stream gave to the session that the session has not handled yet. */
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

  /** The session is done with a line the stream gave it. */
  synchronized void handled() {
    if (atSession > 0) atSession--;
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
