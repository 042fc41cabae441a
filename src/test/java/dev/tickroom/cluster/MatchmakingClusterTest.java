package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quick join across a 3-node cluster in one JVM: 20 players asking at once, spread over the nodes, fill
 * two rooms of 10 and no more; list_rooms shows both with their labels; a finished game sends its result
 * to its members and leaves the lobby.
 */
@Timeout(180)
class MatchmakingClusterTest {
  private final List<Node> nodes = new ArrayList<>();
  private final List<WireClient> clients = new ArrayList<>();

  @AfterEach
  void stopAll() {
    clients.forEach(WireClient::close);
    for (Node n : nodes) {
      try {
        n.stop();
      } catch (RuntimeException ignored) {
        // already stopped
      }
    }
  }

  Config config(int artery, int seed1, int seed2) {
    return ConfigFactory.parseString(
            "pekko.remote.artery.canonical.port = " + artery + "\n"
            + "pekko.cluster.seed-nodes = [\"pekko://tickroom@127.0.0.1:" + seed1 + "\", \"pekko://tickroom@127.0.0.1:" + seed2 + "\"]\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "tickroom.games.finisher = \"dev.tickroom.cluster.FinishGame\"\n")
        .withFallback(ConfigFactory.load("application-test"));
  }

  WireClient client(Node n, String name) {
    WireClient c = new TcpWireClient(n.gameAddress());
    clients.add(c);
    c.hello(name);
    return c;
  }

  /** Sends list_rooms until the answer satisfies {@code ok}; bounded. */
  static JsonNode listUntil(WireClient c, Predicate<JsonNode> ok) throws InterruptedException {
    JsonNode last = null;
    for (int i = 0; i < 100; i++) {
      c.send("{\"type\":\"list_rooms\",\"game\":\"finisher\"}");
      last = c.awaitType("rooms").get("rooms");
      if (ok.test(last)) return last;
      Thread.sleep(100); // the listing is gossiped between nodes; poll, bounded
    }
    throw new AssertionError("list_rooms never showed what was expected; last: " + last);
  }

  @Test
  void twentyQuickJoinsAtOnceOnThreeNodesFillTwoRoomsThenAFinishedGameFreesItsRoom() throws Exception {
    int seed1 = ClusterTest.freePort();
    int seed2 = ClusterTest.freePort();
    for (int i = 0; i < 3; i++) nodes.add(Node.start(config(i == 0 ? seed1 : i == 1 ? seed2 : ClusterTest.freePort(), seed1, seed2), Duration.ofSeconds(60)));
    ClusterTest.awaitUp(nodes);

    List<WireClient> players = new ArrayList<>();
    for (int i = 0; i < 20; i++) players.add(client(nodes.get(i % 3), "p" + i));
    for (WireClient c : players) {
      c.send("{\"type\":\"quick_join\",\"game\":\"finisher\",\"filter\":{\"mode\":\"e2e\"},\"options\":{\"hat\":\"red\"}}");
    }
    Map<String, List<WireClient>> byRoom = new HashMap<>();
    for (WireClient c : players) {
      JsonNode joined = c.awaitType("joined");
      assertEquals("finisher", joined.get("game").asText());
      byRoom.computeIfAbsent(joined.get("room").asText(), r -> new ArrayList<>()).add(c);
    }
    assertEquals(2, byRoom.size(), "rooms: " + byRoom.keySet());
    byRoom.values().forEach(members -> assertEquals(10, members.size()));

    WireClient lobby = client(nodes.get(1), "lobby");
    JsonNode rooms = listUntil(lobby, rs -> rs.size() == 2 && rs.get(0).get("players").asInt() == 10
        && rs.get(1).get("players").asInt() == 10);
    for (JsonNode r : rooms) {
      assertTrue(byRoom.containsKey(r.get("room").asText()), r.toString());
      assertEquals("{\"mode\":\"e2e\"}", r.get("label").toString());
      assertEquals(10, r.get("max_players").asInt());
    }

    String finished = byRoom.keySet().iterator().next();
    List<WireClient> members = byRoom.get(finished);
    members.get(0).send("{\"type\":\"input\",\"seq\":1,\"data\":{\"finish\":true}}");
    for (WireClient m : members) {
      JsonNode left = m.awaitType("left");
      assertEquals(finished, left.get("room").asText());
      assertEquals("finished", left.get("reason").asText());
      assertTrue(left.get("result").has("by"), left.toString());
    }
    JsonNode after = listUntil(lobby, rs -> rs.size() == 1);
    assertTrue(!after.get(0).get("room").asText().equals(finished), "the finished room left the lobby");

    // its players quick join again: into the room that has seats? No: it is full; a new room opens
    members.get(1).send("{\"type\":\"quick_join\",\"game\":\"finisher\",\"filter\":{\"mode\":\"e2e\"}}");
    JsonNode again = members.get(1).awaitType("joined");
    assertTrue(!byRoom.containsKey(again.get("room").asText()), "a new room: the other one is full, the finished one is gone");
  }
}
