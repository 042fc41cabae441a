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
 */
public interface PlayerDirectory {

  /** @param room null when in no room; @param disconnectedAt epoch ms when the connection ended, 0 while connected */
  record Entry(String player, String room, long disconnectedAt) implements CborSerializable {}

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
      entries.put(entry.player(), entry);
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
