package dev.tickroom.player;

import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.room.RoomEvent;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where a player is: its room and, once its connection ended, when. A session that resumes with a token
 * looks its player up here to find the room and to check the grace period.
 *
 * <p>Each entry names the session of the player that wrote it ({@link Entry#generation()}: 1 for a new
 * player, one more for each resume, counted from the entry the resume read). A write never replaces an
 * entry of a later session, on one node or after replicas merge, so a session that closes a few
 * milliseconds after its player resumed elsewhere cannot undo the newer session's entry.
 *
 * <p>The entry also holds the nonce of the player's one valid resume token ({@link Entry#nonce()}: each
 * welcome draws a new one, so every earlier token stops working) and, while connected, the session's address
 * for room events, so that a newer session of the same player can replace it ({@link Handshake}).
 */
public interface PlayerDirectory {

  /**
   * @param room null when in no room
   * @param disconnectedAt epoch ms when the connection ended, 0 while connected
   * @param generation which session of the player wrote it: 1, then one more per resume
   * @param nonce the nonce of the player's current resume token
   * @param session the live session (its room-event address) while connected, else null
   */
  record Entry(String player, String room, long disconnectedAt, long generation, String nonce, ActorRef<RoomEvent> session)
      implements CborSerializable {
    /** An entry with no token nonce and no session address (tests, older writers). */
    public Entry(String player, String room, long disconnectedAt, long generation) {
      this(player, room, disconnectedAt, generation, null, null);
    }

    /** True when this entry may take the place of {@code current}: it comes from the same session or a later one. */
    public boolean mayReplace(Entry current) {
      return current == null || generation >= current.generation;
    }
  }

  void put(Entry entry);

  /** {@link #put} a welcome's entry, completing once it is written (to a majority of nodes, where replicated). */
  default CompletionStage<Void> claim(Entry entry) {
    put(entry);
    return CompletableFuture.completedFuture(null);
  }

  CompletionStage<Optional<Entry>> get(String player);

  /** A directory for one node: enough for a single node, where a resumed session comes back to the same JVM. */
  final class Local implements PlayerDirectory {
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long keepMillis;

    public Local(long keepMillis) {
      this.keepMillis = keepMillis;
    }

    @Override
    public void put(Entry entry) {
      entries.merge(entry.player(), entry, (current, newer) -> newer.mayReplace(current) ? newer : current);
      if (entry.disconnectedAt() > 0 && entries.size() % 1024 == 0) {
        long cutoff = entry.disconnectedAt() - keepMillis;
        entries.values().removeIf(e -> e.disconnectedAt() > 0 && e.disconnectedAt() < cutoff);
      }
    }

    @Override
    public CompletionStage<Optional<Entry>> get(String player) {
      return CompletableFuture.completedFuture(Optional.ofNullable(entries.get(player)));
    }
  }
}
