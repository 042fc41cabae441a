package dev.tickroom.player;

import dev.tickroom.cluster.Replicated;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * The player directory in Pekko Distributed Data, so a player can resume on any node: entries are spread
 * over 32 last-writer-wins maps by player id and written to a majority of nodes. Entries of players whose
 * connection ended longer than {@code keepMillis} ago are pruned from a map whenever it is written.
 */
public final class ReplicatedPlayerDirectory implements PlayerDirectory {
  private static final int BUCKETS = 32;
  private final Replicated replicated;
  private final long keepMillis;

  public ReplicatedPlayerDirectory(Replicated replicated, long keepMillis) {
    this.replicated = replicated;
    this.keepMillis = keepMillis;
  }

  private static Key<LWWMap<String, Entry>> key(String player) {
    return LWWMapKey.create("players-" + Math.floorMod(player.hashCode(), BUCKETS));
  }

  @Override
  public CompletionStage<Void> claim(Entry entry) {
    return update(entry, true).thenApply(r -> null);
  }

  @Override
  public void put(Entry entry) {
    update(entry, false);
  }

  /** Writes to a majority of nodes; a write that times out still took effect here and spreads by gossip. */
  private CompletionStage<?> update(Entry entry, boolean claim) {
    long cutoff = System.currentTimeMillis() - keepMillis;
    return replicated.update(key(entry.player()), LWWMap.create(), m -> {
      LWWMap<String, Entry> pruned = m;
      for (Entry e : m.getEntries().values()) {
        if (e.disconnectedAt() > 0 && e.disconnectedAt() < cutoff) pruned = pruned.remove(replicated.self(), e.player());
      }
      if (!claim && !PlayerDirectory.mayUpdate(pruned.getEntries().get(entry.player()), entry)) return pruned;
      return pruned.put(replicated.self(), entry.player(), entry);
    });
  }

  @Override
  public CompletionStage<Optional<Entry>> get(String player) {
    return replicated.get(key(player)).thenApply(m -> m.map(map -> map.getEntries().get(player)));
  }
}
