package dev.tickroom.room;

import dev.tickroom.cluster.Replicated;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * Room snapshots in Pekko Distributed Data, written to a majority of nodes, so a room whose node leaves or
 * crashes resumes elsewhere from its latest snapshot. Nothing to install: the data lives in the cluster's
 * memory. Rooms are spread over 256 last-writer-wins maps by name, so the number of top-level keys stays
 * fixed however many rooms come and go, and a room that ends is removed from its map.
 */
public final class ReplicatedSnapshotStore implements SnapshotStore {
  private static final int BUCKETS = 256;
  private final Replicated replicated;

  public ReplicatedSnapshotStore(Replicated replicated) {
    this.replicated = replicated;
  }

  private static Key<LWWMap<String, RoomSnapshot>> key(String roomId) {
    return LWWMapKey.create("rooms-" + Math.floorMod(roomId.hashCode(), BUCKETS));
  }

  @Override
  public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
    return replicated.get(key(roomId)).thenApply(m -> m.map(map -> map.getEntries().get(roomId)));
  }

  @Override
  public void save(RoomSnapshot snapshot) {
    replicated.update(key(snapshot.roomId()), LWWMap.create(), m -> m.put(replicated.self(), snapshot.roomId(), snapshot));
  }

  @Override
  public void remove(String roomId) {
    replicated.update(key(roomId), LWWMap.create(), m -> m.remove(replicated.self(), roomId));
  }
}
