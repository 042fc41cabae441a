package dev.tickroom.player;

import dev.tickroom.cluster.Replicated;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * The player directory in Pekko Distributed Data, so a player can resume on any node: entries are spread
 * over 32 last-writer-wins maps by player id and written to a majority of nodes. Entries of players whose
 * connection ended longer than {@code keepMillis} ago are pruned from a map when it is written, at most once
 * per map every {@code keepMillis / 4} on this node: a prune reads every entry of the map, and doing that on
 * every write made the Replicator (one actor for all of the node's directory writes) a bottleneck in
 * connection storms.
 *
 * <p>A later session of a player always wins, whatever the order in which writes reach a replica: a write
 * that finds an entry of a later session in this node's replica is dropped, and the register's timestamp
 * starts from the entry's generation ({@link #SESSION_CLOCK}), so when replicas merge, the entry of the
 * later session has the higher timestamp; writes of the same session follow each other.
 */
public final class ReplicatedPlayerDirectory implements PlayerDirectory {
  private static final int BUCKETS = 32;
  private final Replicated replicated;
  private final long keepMillis;
  private final long pruneEveryMillis;
  private final AtomicLongArray nextPrune = new AtomicLongArray(BUCKETS);

  public ReplicatedPlayerDirectory(Replicated replicated, long keepMillis) {
    this.replicated = replicated;
    this.keepMillis = keepMillis;
    this.pruneEveryMillis = Math.max(1, keepMillis / 4);
  }

  /**
   * Timestamps of directory entries: {@code generation << 42} for the first write of a session, one more for each
   * later write of it. 2^42 is above any wall-clock millisecond timestamp of the default clock (until the
   * year 2109), so an entry written by an older release's default clock does not beat a newer session.
   */
  static final LWWRegister.Clock<Entry> SESSION_CLOCK =
      (current, entry) -> Math.max(current + 1, entry.generation() << 42);

  private static int bucket(String player) {
    return Math.floorMod(player.hashCode(), BUCKETS);
  }

  private static Key<LWWMap<String, Entry>> key(String player) {
    return LWWMapKey.create("players-" + bucket(player));
  }

  /**
   * The prune cutoff for a write of {@code player}'s map at {@code now}: entries disconnected before it go;
   * 0 (no prune) when this node pruned that map less than {@code keepMillis / 4} ago.
   */
  long pruneCutoff(String player, long now) {
    int b = bucket(player);
    long next = nextPrune.get(b);
    if (now < next || !nextPrune.compareAndSet(b, next, now + pruneEveryMillis)) return 0;
    return now - keepMillis;
  }

  @Override
  public void put(Entry entry) {
    update(entry);
  }

  /** A welcome waits for its entry to reach a majority, so a token it replaced is refused on every node. */
  @Override
  public CompletionStage<Void> claim(Entry entry) {
    return update(entry).thenApply(r -> null);
  }

  private CompletionStage<?> update(Entry entry) {
    long cutoff = pruneCutoff(entry.player(), System.currentTimeMillis());
    return replicated.update(key(entry.player()), LWWMap.create(), m -> write(m, replicated.self(), entry, cutoff));
  }

  /**
   * One write into a replica's map: entries disconnected before {@code cutoff} pruned (none when it is 0),
   * then {@code entry} put, unless the map holds an entry of a later session of the player.
   */
  static LWWMap<String, Entry> write(LWWMap<String, Entry> map, SelfUniqueAddress self, Entry entry, long cutoff) {
    LWWMap<String, Entry> pruned = map;
    if (cutoff > 0) {
      for (Entry e : map.getEntries().values()) {
        if (e.disconnectedAt() > 0 && e.disconnectedAt() < cutoff) pruned = pruned.remove(self, e.player());
      }
    }
    scala.Option<Entry> found = pruned.get(entry.player());
    Entry current = found.isDefined() ? found.get() : null;
    if (!entry.mayReplace(current)) return pruned; // a later session of this player wrote it: keep that
    return pruned.put(self, entry.player(), entry, SESSION_CLOCK);
  }

  @Override
  public CompletionStage<Optional<Entry>> get(String player) {
    // one lookup, not a copy of the whole map (getEntries) for it
    return replicated.get(key(player)).thenApply(m -> m.flatMap(map -> {
      scala.Option<Entry> e = map.get(player);
      return e.isDefined() ? Optional.of(e.get()) : Optional.empty();
    }));
  }
}
