package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.config.Settings;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.metrics.Metrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rooms started by sharding run their game code on the room dispatcher, apart from sessions. */
@Timeout(60)
class RoomDispatcherTest {
  static final ActorTestKit kit = ActorTestKit.create("dispatch", ConfigFactory.parseString(
          "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\n")
      .withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  @Test
  void aShardedRoomRunsItsGameOnTheRoomDispatcher() throws Exception {
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    CompletableFuture<String> thread = new CompletableFuture<>();
    CounterGame game = new CounterGame() {
      @Override
      public State create(RoomSeed seed) {
        thread.complete(Thread.currentThread().getName());
        return super.create(seed);
      }
    };
    Settings.Rooms rooms = Settings.from(kit.system().settings().config()).rooms();
    RoomEntity.Deps deps = new RoomEntity.Deps(rooms, new GameRegistry(Map.<String, Game<?>>of("counter", game), "counter"),
        SnapshotStore.NONE, Metrics.none());
    ClusterSharding sharding = ClusterSharding.get(kit.system());
    sharding.init(RoomEntity.entity(deps));
    TestProbe<RoomEvent> member = kit.createTestProbe();
    member.awaitAssert(Duration.ofSeconds(20), () -> {
      sharding.entityRefFor(RoomEntity.TYPE_KEY, "d1").tell(new RoomEntity.Join("pa", "ann", null, member.getRef()));
      member.expectMessageClass(RoomEvent.Joined.class, Duration.ofSeconds(2));
      return null;
    });
    String name = thread.get(5, TimeUnit.SECONDS);
    assertTrue(name.contains(RoomEntity.DISPATCHER), name);
  }
}
