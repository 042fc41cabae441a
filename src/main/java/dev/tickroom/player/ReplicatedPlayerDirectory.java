package dev.tickroom.player;

import dev.tickroom.cluster.Replicated;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * The player directory in Pekko Distributed Data, so a player can resume on any node: entries are spread
 * over {@value #BUCKETS} last-writer-wins maps by player id and written to a majority of nodes. The Replicator
 * merges the whole map on every write (Pekko's {@code ORMap.merge}), so a write costs in proportion to the
 * entries of its map: the more maps, the cheaper each write as the cluster's player count grows. Entries of players whose
 * connection ended longer than {@code keepMillis} ago are pruned from a map when it is written, at most once
 * per map every {@code keepMillis / 4} on this node: a prune reads every entry of the map, and doing that on
 * every write made the Replicator (one actor for all of the node's directory writes) a bottleneck in
 * connection storms.
 *
 * <p>A later session of a player always wins, whatever the order in which writes reach a replica: a write
 * that finds an entry of a later session in this node's replica is dropped, and the register's timestamp
 * starts from the entry's generation ({@link #SESSION_CLOCK}), so when replicas merge, the entry of the
 * later session has the higher timestamp; writes of the same session follow each other.
 *
 * <p>Releases before this layout kept the directory in 32 maps named {@code players-N}. Nodes of this layout
 * carry the cluster role {@value #LAYOUT_ROLE}; while any member lacks it (a rolling upgrade from such a
 * release, or a rollback to one), writes go to both layouts and reads consult both, so a player resumes
 * across old and new nodes and a token replaced on one kind of node is refused on the other. Reads keep
 * consulting the old layout for {@code keepMillis} after such a member was last seen, and for the first
 * {@code keepMillis} after this node started (it may have started just after the last one left), so that the
 * players of the last old node can still resume.
 */
public final class ReplicatedPlayerDirectory implements PlayerDirectory {
  static final int BUCKETS = 256;
  /** The layout of earlier releases: 32 maps, {@code players-0} .. {@code players-31}. */
  static final int LEGACY_BUCKETS = 32;
  /** The cluster role that says a node keeps the directory in {@value #BUCKETS} maps. */
  public static final String LAYOUT_ROLE = "tickroom-player-directory-256";

  private final Replicated replicated;
  private final long keepMillis;
  private final long pruneEveryMillis;
  private final AtomicLongArray nextPrune = new AtomicLongArray(BUCKETS);
  private final BooleanSupplier legacyMembers;
  private final LongSupplier clock;
  /** Until when (epoch ms) reads also consult the 32-map layout. */
  private volatile long readLegacyUntil;

  /** @param legacyMembers true while the cluster has a member that only knows the 32-map layout */
  public ReplicatedPlayerDirectory(Replicated replicated, long keepMillis, BooleanSupplier legacyMembers) {
    this(replicated, keepMillis, legacyMembers, System::currentTimeMillis);
  }

  ReplicatedPlayerDirectory(Replicated replicated, long keepMillis, BooleanSupplier legacyMembers, LongSupplier clock) {
    this.replicated = replicated;
    this.keepMillis = keepMillis;
    this.pruneEveryMillis = Math.max(1, keepMillis / 4);
    this.legacyMembers = legacyMembers;
    this.clock = clock;
    this.readLegacyUntil = clock.getAsLong() + keepMillis;
  }

  /** {@code config} with {@link #LAYOUT_ROLE} added to the node's cluster roles (kept when already there). */
  public static Config withLayoutRole(Config config) {
    List<String> roles = new ArrayList<>(config.hasPath("pekko.cluster.roles")
        ? config.getStringList("pekko.cluster.roles") : List.of());
    if (roles.contains(LAYOUT_ROLE)) return config;
    roles.add(LAYOUT_ROLE);
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
  }

  /** True while a member of {@code cluster} (any status) does not carry {@link #LAYOUT_ROLE}. */
  public static boolean hasLegacyMembers(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .anyMatch((Member m) -> !m.hasRole(LAYOUT_ROLE));
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

  static Key<LWWMap<String, Entry>> key(String player) {
    return LWWMapKey.create("player-directory-" + bucket(player));
  }

  static Key<LWWMap<String, Entry>> legacyKey(String player) {
    return LWWMapKey.create("players-" + Math.floorMod(player.hashCode(), LEGACY_BUCKETS));
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
    long cutoff = pruneCutoff(entry.player(), clock.getAsLong());
    CompletionStage<?> written = write(key(entry.player()), entry, cutoff);
    if (!legacyMembers.getAsBoolean()) return written;
    return written.thenCombine(write(legacyKey(entry.player()), entry, cutoff), (a, b) -> a);
  }

  private CompletionStage<?> write(Key<LWWMap<String, Entry>> key, Entry entry, long cutoff) {
    return replicated.update(key, LWWMap.create(), m -> write(m, replicated.self(), entry, cutoff));
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

  /** The player's entry; from the 32-map layout as well while it may hold a later one (see above). */
  @Override
  public CompletionStage<Optional<Entry>> get(String player) {
    if (!readLegacy()) return get(key(player), player);
    return get(key(player), player)
        .thenCompose(found -> get(legacyKey(player), player).thenApply(legacy -> later(found, legacy)));
  }

  private boolean readLegacy() {
    long now = clock.getAsLong();
    if (legacyMembers.getAsBoolean()) readLegacyUntil = now + keepMillis;
    return now < readLegacyUntil;
  }

  private CompletionStage<Optional<Entry>> get(Key<LWWMap<String, Entry>> key, String player) {
    // one lookup, not a copy of the whole map (getEntries) for it
    return replicated.get(key).thenApply(m -> m.flatMap(map -> {
      scala.Option<Entry> e = map.get(player);
      return e.isDefined() ? Optional.of(e.get()) : Optional.empty();
    }));
  }

  /** Of the entries of one player from the two layouts, the one of the later session ({@code current} on a tie). */
  static Optional<Entry> later(Optional<Entry> current, Optional<Entry> legacy) {
    if (current.isEmpty()) return legacy;
    if (legacy.isEmpty() || legacy.get().generation() <= current.get().generation()) return current;
    return legacy;
  }
}
