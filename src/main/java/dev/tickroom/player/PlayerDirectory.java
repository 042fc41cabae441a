package dev.tickroom.player;

import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.room.RoomEvent;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where a player is: its room, its live session and, once its connection ended, when; and the nonce of the
 * player's one valid resume token. A session that resumes with a token looks its player up here to check
 * the nonce and the grace period and to find the room.
 *
 * <p>Each welcome {@link #claim claims} the entry with a new nonce, so every earlier token stops working;
 * the session's later writes ({@link #put}) carry that nonce and are dropped once a newer session of the same
 * player claimed the entry, so a closing session never undoes a newer one.
 */
public interface PlayerDirectory {

  /**
   * @param room null when in no room
   * @param disconnectedAt epoch ms when the connection ended, 0 while connected
   * @param nonce the nonce of the player's current resume token
   * @param session the live session (its room-event address) while connected, to replace it; may be null
   */
  record Entry(String player, String room, long disconnectedAt, String nonce, ActorRef<RoomEvent> session)
      implements CborSerializable {}

  /** Writes a welcome's entry, whatever was there: the new nonce invalidates every earlier token. */
  CompletionStage<Void> claim(Entry entry);

  /** Updates the entry if it still has {@code entry.nonce()} (no newer session claimed it). */
  void put(Entry entry);

  CompletionStage<Optional<Entry>> get(String player);

  /** Whether {@code update} may replace {@code current}: only the session holding the current nonce may. */
  static boolean mayUpdate(Entry current, Entry update) {
    return current == null || Objects.equals(current.nonce(), update.nonce());
  }

  /** A directory for one node: enough for a single node, where a resumed session comes back to the same JVM. */
  final class Local implements PlayerDirectory {
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long keepMillis;

    public Local(long keepMillis) {
      this.keepMillis = keepMillis;
    }

    @Override
    public CompletionStage<Void> claim(Entry entry) {
      entries.put(entry.player(), entry);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void put(Entry entry) {
      entries.compute(entry.player(), (k, cur) -> mayUpdate(cur, entry) ? entry : cur);
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
