package dev.tickroom.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * Room snapshots in Pekko Distributed Data, kept in the cluster's memory. Rooms are spread over 256
 * last-writer-wins maps by name, so the number of top-level keys stays fixed however many rooms come and go.
 *
 * <ul>
 *   <li>The "last writer" is decided by the snapshot's (incarnation, tick) ({@link RoomSnapshot#order()}),
 *       given to the register as its clock: never by wall clock, so a zombie incarnation or a node with a
 *       skewed clock cannot win over a newer snapshot, neither in a merge nor in a local write.
 *   <li>Writes (saves, removals) go to a majority and complete only when the majority confirmed them.
 *   <li>Reads ask a majority; a read that the majority does not answer in time fails (never "no
 *       snapshot"): the room retries or refuses joins rather than starting fresh.
 *   <li>{@link #sweep} removes what expired, from this node's replica's view.
 * </ul>
 */
public final class ReplicatedSnapshotStore implements SnapshotStore {
  private static final int BUCKETS = 256;
  /** The register clock: a snapshot's own order. */
  static final LWWRegister.Clock<RoomSnapshot> ORDER = (current, snapshot) -> snapshot.order();

  private final ActorSystem<?> system;
  private final Duration timeout;

  public ReplicatedSnapshotStore(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
    DistributedData.get(system); // starts this node's replicator now: the others' majority writes count on it
  }

  /** The store cannot tell whether a snapshot exists: a majority did not answer in time. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }
  }

  static Key<LWWMap<String, RoomSnapshot>> key(String roomId) {
    return LWWMapKey.create("rooms-" + Math.floorMod(roomId.hashCode(), BUCKETS));
  }

  /** Puts {@code snapshot} unless the map holds a newer one of the same room. */
  static LWWMap<String, RoomSnapshot> put(LWWMap<String, RoomSnapshot> map, SelfUniqueAddress self, RoomSnapshot snapshot) {
    RoomSnapshot existing = map.getEntries().get(snapshot.roomId());
    if (existing != null && existing.order() > snapshot.order()) return map;
    return map.put(self, snapshot.roomId(), snapshot, ORDER);
  }

  /** The rooms of {@code map} whose snapshots expired. */
  static List<String> expired(LWWMap<String, RoomSnapshot> map, long nowMillis, Duration snapshotTtl, Duration closedTtl) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, RoomSnapshot> e : map.getEntries().entrySet()) {
      if (e.getValue().expired(nowMillis, snapshotTtl, closedTtl)) out.add(e.getKey());
    }
    return out;
  }

  private SelfUniqueAddress self() {
    return DistributedData.get(system).selfUniqueAddress();
  }

  @Override
  public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
    Key<LWWMap<String, RoomSnapshot>> key = key(roomId);
    return get(key, new Replicator.ReadMajority(timeout)).thenApply(r -> {
      if (r instanceof Replicator.GetSuccess<LWWMap<String, RoomSnapshot>> s) {
        return Optional.ofNullable(s.get(key).getEntries().get(roomId));
      }
      if (r instanceof Replicator.NotFound) return Optional.<RoomSnapshot>empty();
      throw new Unavailable("snapshot of room " + roomId + " not read from a majority within " + timeout + ": " + r);
    });
  }

  @Override
  public CompletionStage<Done> save(RoomSnapshot snapshot) {
    return update(key(snapshot.roomId()), m -> put(m, self(), snapshot), "snapshot of room " + snapshot.roomId());
  }

  @Override
  public CompletionStage<Done> remove(String roomId) {
    return update(key(roomId), m -> m.remove(self(), roomId), "removal of room " + roomId);
  }

  @Override
  public CompletionStage<Integer> sweep(long nowMillis, Duration snapshotTtl, Duration closedTtl) {
    CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
    for (int b = 0; b < BUCKETS; b++) {
      Key<LWWMap<String, RoomSnapshot>> key = LWWMapKey.create("rooms-" + b);
      CompletionStage<Integer> one = get(key, Replicator.readLocal()).thenCompose(r -> {
        if (!(r instanceof Replicator.GetSuccess<LWWMap<String, RoomSnapshot>> s)) return CompletableFuture.completedFuture(0);
        List<String> gone = expired(s.get(key), nowMillis, snapshotTtl, closedTtl);
        if (gone.isEmpty()) return CompletableFuture.completedFuture(0);
        return update(key, m -> {
          // decided again on the latest replica: a room saved meanwhile is kept
          LWWMap<String, RoomSnapshot> out = m;
          for (String room : expired(m, nowMillis, snapshotTtl, closedTtl)) out = out.remove(self(), room);
          return out;
        }, "sweep").thenApply(d -> gone.size());
      });
      total = total.thenCombine(one, Integer::sum);
    }
    return total;
  }

  private CompletionStage<Done> update(Key<LWWMap<String, RoomSnapshot>> key,
      Function<LWWMap<String, RoomSnapshot>, LWWMap<String, RoomSnapshot>> modify, String what) {
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, RoomSnapshot>>>ask(
        DistributedData.get(system).replicator(),
        replyTo -> new Replicator.Update<>(key, LWWMap.create(), new Replicator.WriteMajority(timeout), replyTo, modify),
        timeout.plusSeconds(1),
        system.scheduler()).thenApply(r -> {
          if (r instanceof Replicator.UpdateSuccess) return Done.getInstance();
          throw new Unavailable(what + " not confirmed by a majority within " + timeout + ": " + r);
        });
  }

  private CompletionStage<Replicator.GetResponse<LWWMap<String, RoomSnapshot>>> get(
      Key<LWWMap<String, RoomSnapshot>> key, Replicator.ReadConsistency consistency) {
    return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, RoomSnapshot>>>ask(
        DistributedData.get(system).replicator(),
        replyTo -> new Replicator.Get<>(key, consistency, replyTo),
        timeout.plusSeconds(1),
        system.scheduler());
  }
}
