package dev.tickroom.player;

import dev.tickroom.cluster.CborSerializable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a player is: its room and, once its connection ended, when. A session that resumes with a token
 * looks its player up here to find the room and to check the grace period.
 *
 * <p>Each entry names the session of the player that wrote it ({@link Entry#generation()}: 1 for a new
 * player, one more for each resume, counted from the entry the resume read). A write never replaces an
 * entry of a later session, on one node or after replicas merge, so a session that closes a few
 * milliseconds after its player resumed elsewhere cannot undo the newer session's entry.
 */
public interface PlayerDirectory {

  /**
   * @param room null when in no room
   * @param disconnectedAt epoch ms when the connection ended, 0 while connected
   * @param generation which session of the player wrote it: 1, then one more per resume
   */
  record Entry(String player, String room, long disconnectedAt, long generation) implements CborSerializable {
    /** True when this entry may take the place of {@code current}: it comes from the same session or a later one. */
    public boolean mayReplace(Entry current) {
      return current == null || generation >= current.generation;
    }
  }

  void put(Entry entry);

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
