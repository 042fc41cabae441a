package dev.tickroom.room;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where rooms keep their latest snapshot so that they can resume elsewhere. */
public interface SnapshotStore {
  CompletionStage<Optional<RoomSnapshot>> load(String roomId);

  void save(RoomSnapshot snapshot);

  /** The room ended for good; forget its snapshot. */
  void remove(String roomId);

  /** A store that keeps nothing: rooms always start fresh. */
  SnapshotStore NONE = new SnapshotStore() {
    @Override
    public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public void save(RoomSnapshot snapshot) {}

    @Override
    public void remove(String roomId) {}
  };
}
