package dev.tickroom.room;

import dev.tickroom.cluster.Replicated;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;

/**
 * Room snapshots in Pekko Distributed Data: one last-writer-wins register per room, written to a majority
 * of nodes, so a room whose node leaves or crashes resumes elsewhere from its latest snapshot. Nothing to
 * install: the data lives in the cluster's memory. A room that ended writes a tombstone (keys are never
 * deleted, since a deleted key could not be used again by a new room of the same name).
 */
public final class ReplicatedSnapshotStore implements SnapshotStore {
  private final Replicated replicated;

  public ReplicatedSnapshotStore(Replicated replicated) {
    this.replicated = replicated;
  }

  private static Key<LWWRegister<RoomSnapshot>> key(String roomId) {
    return LWWRegisterKey.create("room-" + roomId);
  }

  @Override
  public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
    return replicated.get(key(roomId))
        .thenApply(reg -> reg.map(LWWRegister::getValue).filter(s -> s.game() != null));
  }

  @Override
  public void save(RoomSnapshot snapshot) {
    replicated.update(key(snapshot.roomId()), LWWRegister.create(replicated.self(), snapshot),
        reg -> reg.withValue(replicated.self(), snapshot));
  }

  @Override
  public void remove(String roomId) {
    RoomSnapshot tombstone = new RoomSnapshot(roomId, null, 0, 0, null, java.util.List.of());
    replicated.update(key(roomId), LWWRegister.create(replicated.self(), tombstone),
        reg -> reg.withValue(replicated.self(), tombstone));
  }
}
