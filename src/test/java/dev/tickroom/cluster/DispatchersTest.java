package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.room.RoomEntity;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's configuration keeps three kinds of work on pools of their own: the cluster's heartbeats and
 * failure detector (Pekko's internal dispatcher), TCP connections (Pekko IO) and game code (rooms), so that
 * neither a flood of client traffic nor a slow game can delay the messages that decide whether a node lives.
 */
@Timeout(30)
class DispatchersTest {
  final Config config = ConfigFactory.load("application-test");

  @Test
  void tcpConnectionsAndGamesRunApartFromTheClustersOwnDispatcher() {
    String cluster = config.getString("pekko.cluster.use-dispatcher");
    String control = config.getString("pekko.remote.artery.advanced.use-control-stream-dispatcher");
    String tcpWorkers = config.getString("pekko.io.tcp.worker-dispatcher");
    assertEquals("pekko.actor.internal-dispatcher", cluster);
    assertEquals(cluster, control, "heartbeats travel on Artery's control stream");
    assertEquals("tickroom-io-dispatcher", tcpWorkers);
    assertEquals(tcpWorkers, config.getString("pekko.io.tcp.management-dispatcher"));
    assertNotEquals(tcpWorkers, RoomEntity.DISPATCHER);
    assertNotEquals(cluster, RoomEntity.DISPATCHER);
  }

  @Test
  void theIoDispatcherExistsInARunningSystem() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dispatchers",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config));
    try {
      // a dispatcher that is named but not defined fails here, not on the first connection
      system.dispatchers().lookup(DispatcherSelector.fromConfig("tickroom-io-dispatcher"));
    } finally {
      system.terminate();
    }
  }
}
