package dev.tickroom.room;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** Where rooms keep their latest snapshot so that they can resume elsewhere. */
public interface SnapshotStore {
  /**
   * The room's latest snapshot, or empty when there is none. Fails when the store cannot tell (a majority
   * did not answer in time): a caller must never take that for "no snapshot".
   */
  CompletionStage<Optional<RoomSnapshot>> load(String roomId);

  /**
   * Completes when the snapshot reached a majority; fails when it could not be confirmed in time. A
   * snapshot of an older (incarnation, tick) than the stored one never replaces it.
   */
  CompletionStage<Done> save(RoomSnapshot snapshot);

  /** The room ended for good; forget its snapshot. Completes when a majority forgot it. */
  CompletionStage<Done> remove(String roomId);

  /** Removes the snapshots and tombstones that expired (see {@link RoomSnapshot#expired}); answers how many. */
  CompletionStage<Integer> sweep(long nowMillis, Duration snapshotTtl, Duration closedTtl);

  /** A store that keeps nothing: rooms always start fresh. */
  SnapshotStore NONE = new SnapshotStore() {
    @Override
    public CompletionStage<Optional<RoomSnapshot>> load(String roomId) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Done> save(RoomSnapshot snapshot) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> remove(String roomId) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Integer> sweep(long nowMillis, Duration snapshotTtl, Duration closedTtl) {
      return CompletableFuture.completedFuture(0);
    }
  };
}
