package dev.tickroom.matchmaking;

import dev.tickroom.room.RoomListing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What a session asks of matchmaking: a seat for a quick join, a refused seat, the lobby list. */
public interface Matchmaking {
  CompletionStage<Matchmaker.Found> find(String game, Map<String, Object> filter, String player, List<String> avoid);

  void refused(String game, Map<String, Object> filter, String player, String room, boolean full);

  CompletionStage<List<RoomListing>> list(String game);

  /** The cluster's matchmakers (sharded) and room directory. */
  static Matchmaking cluster(ClusterSharding sharding, RoomDirectory directory, Duration timeout) {
    return new Matchmaking() {
      @Override
      public CompletionStage<Matchmaker.Found> find(String game, Map<String, Object> filter, String player, List<String> avoid) {
        return sharding.entityRefFor(Matchmaker.TYPE_KEY, Matchmaker.entityId(game, filter))
            .ask(replyTo -> new Matchmaker.Find(player, List.copyOf(avoid), replyTo), timeout);
      }

      @Override
      public void refused(String game, Map<String, Object> filter, String player, String room, boolean full) {
        sharding.entityRefFor(Matchmaker.TYPE_KEY, Matchmaker.entityId(game, filter))
            .tell(new Matchmaker.Refused(player, room, full));
      }

      @Override
      public CompletionStage<List<RoomListing>> list(String game) {
        return directory.list(game);
      }
    };
  }

  /** No matchmaking (tests of other parts): quick joins fail, the lobby is empty. */
  Matchmaking NONE = new Matchmaking() {
    @Override
    public CompletionStage<Matchmaker.Found> find(String game, Map<String, Object> filter, String player, List<String> avoid) {
      return CompletableFuture.failedFuture(new IllegalStateException("matchmaking is not available"));
    }

    @Override
    public void refused(String game, Map<String, Object> filter, String player, String room, boolean full) {}

    @Override
    public CompletionStage<List<RoomListing>> list(String game) {
      return CompletableFuture.completedFuture(List.of());
    }
  };
}
