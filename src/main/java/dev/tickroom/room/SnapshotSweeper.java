package dev.tickroom.room;

import dev.tickroom.config.Settings;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Sweeps expired snapshots and tombstones out of the store every {@code snapshot-sweep-interval}, so a
 * room that no longer runs anywhere (its node crashed with it and nobody joined it again) does not come
 * back days later with old members. One per node; removals are idempotent.
 */
public final class SnapshotSweeper {
  private SnapshotSweeper() {}

  public interface Command {}

  private enum Sweep implements Command { INSTANCE }

  private record Swept(Integer count, Throwable failure) implements Command {}

  public static Behavior<Command> create(SnapshotStore store, Settings.Rooms settings, LongSupplier millis) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.snapshotSweepInterval());
      return Behaviors.receive(Command.class)
          .onMessage(Sweep.class, msg -> {
            ctx.pipeToSelf(store.sweep(millis.getAsLong(), settings.snapshotTtl(), settings.closedRoomTtl()), Swept::new);
            return Behaviors.same();
          })
          .onMessage(Swept.class, msg -> {
            if (msg.failure() != null) ctx.getLog().warn("snapshot sweep not confirmed by a majority: {}", msg.failure().toString());
            else if (msg.count() > 0) ctx.getLog().info("swept {} expired room snapshots", msg.count());
            return Behaviors.same();
          })
          .build();
    }));
  }
}
